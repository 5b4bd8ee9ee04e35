module helmholtz

go 1.26.8
