§ıÎ
kari.admin"r12j.*
eksamenfaks-og-isdnRfax2
ny katalog