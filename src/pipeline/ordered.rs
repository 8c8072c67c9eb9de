//! Ordered streaming over a rayon pool: the pool's workers take items in order, and the
//! calling thread consumes each result, in order, as soon as it is ready.
//!
//! Batch-then-write (every unit of a batch rendered, then all written) held a whole batch's
//! output at once: 28 MB of JSON for 4 MB of text, written to cold memory and read back
//! cold. Here a worker takes the next item only while it is at most `window` items ahead
//! of the consumer, so the results in flight stay few (and their buffers cache-warm), the
//! consumer (the output writer) works beside the workers instead of after them, and a
//! slow consumer (a pipe) holds the workers back instead of letting results pile up.

use std::sync::mpsc;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

/// Which items may start: `next` is the next to hand out, items below `allowed` may start.
struct Gate {
    next: usize,
    allowed: usize,
    stop: bool,
}

fn lock(m: &Mutex<Gate>) -> MutexGuard<'_, Gate> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Runs `work(i, &items[i])` for every item on the workers of `pool` and feeds the results
/// to `sink(i, result)` on the calling thread, in item order. At most `window` items (at
/// least 1) are taken beyond the last one the sink has consumed.
///
/// The first error from `sink` stops the run: no further item is started, the results
/// still in flight are dropped, and the error is returned.
///
/// # Errors
/// The first error returned by `sink`.
pub fn for_each_ordered<T, R, E>(pool: &rayon::ThreadPool, items: &[T], window: usize, work: impl Fn(usize, &T) -> R + Sync, mut sink: impl FnMut(usize, R) -> Result<(), E>) -> Result<(), E>
where
    T: Sync,
    R: Send,
{
    if items.is_empty() {
        return Ok(());
    }
    let window = window.max(1);
    let gate = Mutex::new(Gate { next: 0, allowed: window, stop: false });
    let wake = Condvar::new();
    let (tx, rx) = mpsc::channel::<(usize, R)>();
    let workers = pool.current_num_threads().clamp(1, items.len());
    pool.in_place_scope(|scope| {
        for _ in 0..workers {
            let tx = tx.clone();
            let (gate, wake, work) = (&gate, &wake, &work);
            scope.spawn(move |_| loop {
                let i = {
                    let mut g = lock(gate);
                    while !g.stop && g.next < items.len() && g.next >= g.allowed {
                        g = wake.wait(g).unwrap_or_else(PoisonError::into_inner);
                    }
                    if g.stop || g.next >= items.len() {
                        return;
                    }
                    g.next += 1;
                    g.next - 1
                };
                if tx.send((i, work(i, &items[i]))).is_err() {
                    return;
                }
            });
        }
        drop(tx);
        // Results that arrived ahead of their turn, by distance from `done`.
        let mut early: std::collections::VecDeque<Option<R>> = std::collections::VecDeque::new();
        let mut result = Ok(());
        for done in 0..items.len() {
            let r = loop {
                if let Some(r) = early.front_mut().and_then(Option::take) {
                    early.pop_front();
                    break Some(r);
                }
                match rx.recv() {
                    Ok((i, r)) if i == done => {
                        early.pop_front();
                        break Some(r);
                    }
                    Ok((i, r)) => {
                        let at = i - done;
                        if early.len() <= at {
                            early.resize_with(at + 1, || None);
                        }
                        early[at] = Some(r);
                    }
                    // Every worker has gone (one panicked): the scope re-raises the panic.
                    Err(_) => break None,
                }
            };
            let Some(r) = r else { break };
            if let Err(e) = sink(done, r) {
                result = Err(e);
                break;
            }
            let mut g = lock(&gate);
            g.allowed = done + 1 + window;
            wake.notify_all();
        }
        // Done or failed: release workers waiting at the gate.
        lock(&gate).stop = true;
        wake.notify_all();
        result
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn pool(n: usize) -> rayon::ThreadPool {
        rayon::ThreadPoolBuilder::new().num_threads(n).build().expect("pool")
    }

    #[test]
    fn results_reach_the_sink_in_order() {
        for threads in [1, 2, 4] {
            let items: Vec<u64> = (0..500).collect();
            let mut seen = Vec::new();
            // Uneven work, so that items finish out of order.
            let r: Result<(), ()> = for_each_ordered(
                &pool(threads),
                &items,
                3,
                |i, &x| {
                    let spin = if i % 7 == 0 { 20_000 } else { 10 };
                    (0..spin).fold(x, |a, b| a.wrapping_mul(31).wrapping_add(b))
                },
                |i, v| {
                    seen.push((i, v));
                    Ok(())
                },
            );
            assert!(r.is_ok());
            let want: Vec<(usize, u64)> = items.iter().map(|&x| (x as usize, (0..if x % 7 == 0 { 20_000 } else { 10 }).fold(x, |a, b| a.wrapping_mul(31).wrapping_add(b)))).collect();
            assert_eq!(seen, want, "{threads} threads");
        }
    }

    #[test]
    fn workers_stay_within_the_window() {
        let started = AtomicUsize::new(0);
        let items = vec![(); 200];
        let window = 4;
        let r: Result<(), String> = for_each_ordered(
            &pool(3),
            &items,
            window,
            |i, _| {
                started.fetch_max(i + 1, Ordering::SeqCst);
                i
            },
            |i, _| {
                // Items started so far: at most those consumed (i) plus the window.
                let s = started.load(Ordering::SeqCst);
                if s > i + window {
                    return Err(format!("item {} started while consuming {i}", s - 1));
                }
                Ok(())
            },
        );
        assert_eq!(r, Ok(()));
    }

    #[test]
    fn a_sink_error_stops_the_run() {
        let ran = AtomicUsize::new(0);
        let items = vec![(); 1000];
        let r = for_each_ordered(
            &pool(2),
            &items,
            2,
            |_, _| {
                ran.fetch_add(1, Ordering::SeqCst);
            },
            |i, ()| if i == 10 { Err(i) } else { Ok(()) },
        );
        assert_eq!(r, Err(10));
        // Items 0..=10 were consumed; at most the window beyond them was started.
        assert!(ran.load(Ordering::SeqCst) <= 11 + 2, "{} items ran", ran.load(Ordering::SeqCst));
    }

    #[test]
    fn no_items_no_calls() {
        let r: Result<(), ()> = for_each_ordered(&pool(2), &[] as &[u8], 4, |_, _| panic!("no work"), |_, ()| panic!("no sink"));
        assert!(r.is_ok());
    }
}
