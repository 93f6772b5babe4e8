/* fwmem target agent: compiler helpers shared by every agent source.
 * Freestanding: only <stdint.h>, <stddef.h>, <stdbool.h> and <stdalign.h>.
 * GCC and Clang are the supported compilers (the agent uses their builtins
 * for count-leading-zeros and the return address). */
#ifndef FWMEM_COMPILER_H
#define FWMEM_COMPILER_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

/* Forces a helper to be inlined so that a constant argument (the heap's
 * header width) specialises the caller at compile time. */
#define FWM_ALWAYS_INLINE static inline __attribute__((always_inline))
#define FWM_NOINLINE      __attribute__((noinline))
#define FWM_LIKELY(x)     __builtin_expect(!!(x), 1)
#define FWM_UNLIKELY(x)   __builtin_expect(!!(x), 0)
#define FWM_UNUSED(x)     ((void)(x))
/* Address the caller of the current API function returns to. */
#define FWM_CALLER()      __builtin_return_address(0)

/* Integer types that may alias any object: the allocators keep their
 * headers inside caller-supplied byte arrays. */
typedef uint16_t __attribute__((may_alias)) fwm_u16_alias;
typedef uint32_t __attribute__((may_alias)) fwm_u32_alias;
typedef uintptr_t __attribute__((may_alias)) fwm_uptr_alias;

/* Compile-time check of a layout assumption. */
#define FWM_STATIC_ASSERT(cond, msg) _Static_assert(cond, msg)

/* Number of bits in x below its highest set bit, x != 0. */
FWM_ALWAYS_INLINE unsigned fwm_log2_u32(uint32_t x)
{
	return 31u - (unsigned)__builtin_clz(x);
}

FWM_ALWAYS_INLINE unsigned fwm_ctz_u32(uint32_t x)
{
	return (unsigned)__builtin_ctz(x);
}

FWM_ALWAYS_INLINE bool fwm_is_pow2(size_t x)
{
	return x != 0 && (x & (x - 1)) == 0;
}

/* a + b into *out; true if it overflowed. */
FWM_ALWAYS_INLINE bool fwm_add_overflow(size_t a, size_t b, size_t *out)
{
	return __builtin_add_overflow(a, b, out);
}

/* a * b into *out; true if it overflowed. */
FWM_ALWAYS_INLINE bool fwm_mul_overflow(size_t a, size_t b, size_t *out)
{
	return __builtin_mul_overflow(a, b, out);
}

#endif /* FWMEM_COMPILER_H */
