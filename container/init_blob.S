/* init_blob.S: the static --init program (build/isolab-ctr-init, from
 * init.c) as read-only bytes inside isolab-ctr, for init_exec.c. */
	.section .rodata
	.balign 16
	.globl ctr_init_blob
ctr_init_blob:
	.incbin CTR_INIT_BLOB
	.globl ctr_init_blob_end
ctr_init_blob_end:
	.section .note.GNU-stack,"",@progbits
