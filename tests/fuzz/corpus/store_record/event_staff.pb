ÀûıÎ	leder.ola"r30z"
kari.haugenKari HaugenHPh