//! Blocking work awaited from async code, on tokio's blocking pool.

/// The runtime shut down before the work finished.
#[derive(Debug, thiserror::Error)]
#[error("the runtime shut down before blocking work finished ({0})")]
pub(crate) struct Abandoned(String);

/// Runs `work` on tokio's blocking pool and waits for it: the awaiting task waits, its worker's
/// other tasks go on. A panic in `work` is resumed here, as if `work` had run in the awaiting
/// task (a bug stays a panic, not an error to be reported as the store's or the gateway's).
pub(crate) async fn run<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, Abandoned> {
    match tokio::task::spawn_blocking(work).await {
        Ok(value) => Ok(value),
        Err(err) if err.is_panic() => std::panic::resume_unwind(err.into_panic()),
        Err(err) => Err(Abandoned(err.to_string())),
    }
}
