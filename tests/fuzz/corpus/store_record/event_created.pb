€‹ýÎkari.nordmann"r1*10R

1Skriver"rollagHh