
pc-reparasjon-garantiReparasjon av PC under garanti"PC warranty repair2brukerstotte8@J/
PC-leverandÃ¸rgaranti@pc-leverandor.exampleXbhardwarebsupplier-followupjstandardpztinn€ŠpcŠgaranti