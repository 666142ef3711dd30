# vmm/module.mk: build rules for vmm/ (filled in by the vmm work).
