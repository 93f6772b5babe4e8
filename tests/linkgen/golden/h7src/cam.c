/* libcamera_core.a(cam.o): its bss goes to SDRAM, late */
unsigned char frame[4096];
unsigned cam_frames(void) { return frame[0]; }
