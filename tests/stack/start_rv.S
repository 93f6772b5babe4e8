/* RV32 start-up of the stack fixture: set the stack pointer, call main. */
	.section .text.start, "ax"
	.globl _start
	.type _start, @function
_start:
	la sp, _estack
	call main
1:	j 1b
	.size _start, . - _start
