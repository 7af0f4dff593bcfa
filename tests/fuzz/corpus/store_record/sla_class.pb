
business-criticalVirksomhetskritiskLiv og helse 