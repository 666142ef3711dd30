# lab/module.mk: the nested-KVM lab's cached kernel, modules and initramfs.
.PHONY: lab-assets
lab-assets:
