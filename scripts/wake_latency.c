// Thread wake-up latency on this machine: a condition-variable ping-pong between two threads
// (what a sleeping worker pool pays per hand-off) against a spinning one. Build and run:
//   gcc -O2 -pthread scripts/wake_latency.c -o /tmp/wake_latency && /tmp/wake_latency
#include <pthread.h>
#include <stdio.h>
#include <time.h>
#include <stdatomic.h>
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER; static pthread_cond_t c = PTHREAD_COND_INITIALIZER;
static int turn = 0; static int N = 2000;
static double now(void){struct timespec t; clock_gettime(CLOCK_MONOTONIC,&t); return t.tv_sec+1e-9*t.tv_nsec;}
static void *other(void *a){ for(int i=0;i<N;i++){ pthread_mutex_lock(&m); while(turn!=1) pthread_cond_wait(&c,&m); turn=0; pthread_cond_signal(&c); pthread_mutex_unlock(&m);} return 0;}
static atomic_int flag;
static void *spinner(void *a){ for(int i=0;i<N;i++){ while(atomic_load(&flag)!=1); atomic_store(&flag,0);} return 0;}
int main(){ pthread_t t; pthread_create(&t,0,other,0); double t0=now();
 for(int i=0;i<N;i++){ pthread_mutex_lock(&m); turn=1; pthread_cond_signal(&c); while(turn!=0) pthread_cond_wait(&c,&m); pthread_mutex_unlock(&m);} 
 double dt=now()-t0; pthread_join(t,0); printf("condvar round trip %.1f us\n", dt/N*1e6);
 pthread_create(&t,0,spinner,0); t0=now(); for(int i=0;i<N;i++){ atomic_store(&flag,1); while(atomic_load(&flag)!=0);} dt=now()-t0; pthread_join(t,0); printf("spin round trip %.2f us\n", dt/N*1e6); }
