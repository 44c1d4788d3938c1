// A spin-wait hint for the worker pool's busy wait (x86 `pause`; nothing elsewhere).
#ifndef IC_CPU_RELAX_H
#define IC_CPU_RELAX_H
#if defined(__x86_64__) || defined(__i386__)
static inline void ic_cpu_relax(void) { __builtin_ia32_pause(); }
#else
static inline void ic_cpu_relax(void) {}
#endif
#endif
