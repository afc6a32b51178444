//! What the runtime asks of the operating system beyond std: thread
//! priority and handing freed memory back.

/// Lowers the calling thread's CPU priority: on a two-core machine a
/// 100k-span save or a background scan must not delay the key being drawn.
/// Linux's SCHED_IDLE runs the thread only on a core nothing else wants
/// (the interface waits for keys nearly all the time, so saves still go
/// out at once); where it is refused, a nice value of 10 (per thread on
/// Linux) instead.
pub fn background_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: plain syscalls on the calling thread's own id.
    unsafe {
        let tid = libc::syscall(libc::SYS_gettid) as libc::pid_t;
        let param = libc::sched_param { sched_priority: 0 };
        if libc::sched_setscheduler(tid, libc::SCHED_IDLE, &param) != 0 {
            libc::setpriority(libc::PRIO_PROCESS, tid as libc::id_t, 10);
        }
    }
}

/// A nice value of 10 for the calling thread (and the threads it starts,
/// which inherit it): for work that must finish even on a busy machine
/// (suggestions, training), where SCHED_IDLE could starve it, but must
/// still give way to the thread that draws keys.
pub fn nice_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: a plain syscall on the calling thread's own id.
    unsafe {
        let tid = libc::syscall(libc::SYS_gettid) as libc::id_t;
        libc::setpriority(libc::PRIO_PROCESS, tid, 10);
    }
}

/// Hands memory freed while reading an article (parser buffers, the
/// previous article) back to the system: glibc keeps it otherwise, and the
/// process would stay as large as its largest moment.
pub fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free pages; no pointer is touched.
    unsafe {
        libc::malloc_trim(0);
    }
}
