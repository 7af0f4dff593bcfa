
fagsystemer-oppvekstFagsystemer for oppvekstSkole og barnehage."applikasjoner(