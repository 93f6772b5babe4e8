/* libarm_cortexM7lfdp_math.a(arm_fir_f32.o): member rule, ITCMRAM */
unsigned arm_scale(unsigned x);
unsigned arm_fir_f32(unsigned x) { return arm_scale(x) * 3u; }
