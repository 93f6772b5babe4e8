	.section .text.init, "ax"
	.globl _start
_start:
	la sp, _estack
	call Reset_Handler
1:	j 1b
