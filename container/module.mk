# container/module.mk: build rules for container/ (filled in by the container work).
