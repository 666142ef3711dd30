# bench/module.mk: build rules for bench/ (filled in by the bench work).
