//! The Redis cache backend against a real `redis-server`: tenant namespaces, expiry, exact
//! counters across replicas, and how it behaves when Redis goes away.

use std::sync::Arc;
use std::time::Duration;

use slotline::cache::{CacheError, Caches, TenantCache};
use slotline::config::{CacheBackendKind, CacheConfig, Secret};

mod common;

use common::TestResult;
use common::services::Redis;

/// One replica's view of `redis`.
fn replica(redis: &Redis) -> Result<Caches, CacheError> {
    Caches::from_config(&CacheConfig {
        backend: CacheBackendKind::Redis,
        url: Some(Secret::new(redis.url())),
        retry_after_ms: 60_000,
        ..CacheConfig::default()
    })
}

fn tenant(caches: &Caches, id: &str) -> TenantCache {
    caches.tenant(id, Duration::from_secs(60))
}

/// Milliseconds to live of a raw Redis key (-2: missing, -1: no expiry).
async fn pttl(redis: &Redis, key: &str) -> redis::RedisResult<i64> {
    let client = redis::Client::open(redis.url())?;
    let mut connection = client.get_multiplexed_async_connection().await?;
    redis::cmd("PTTL")
        .arg(key)
        .query_async(&mut connection)
        .await
}

#[tokio::test]
async fn tenants_share_nothing_but_replicas_share_everything() -> TestResult {
    let redis = Redis::start().map_err(|err| err.to_string())?;
    let (a, b) = (replica(&redis)?, replica(&redis)?);

    tenant(&a, "acme")
        .set("slots".into(), b"[1]".to_vec())
        .await?;
    tenant(&a, "globex")
        .set("slots".into(), b"[2]".to_vec())
        .await?;
    assert_eq!(
        tenant(&b, "acme").get("slots").await?,
        Some(b"[1]".to_vec())
    );
    assert_eq!(
        tenant(&b, "globex").get("slots").await?,
        Some(b"[2]".to_vec())
    );
    // A tenant whose id is another's prefix sees none of its keys.
    assert_eq!(tenant(&b, "acm").get("slots").await?, None);
    assert_eq!(tenant(&b, "acm").keys().await?, Vec::<String>::new());

    tenant(&b, "acme").delete("slots").await?;
    assert_eq!(
        tenant(&a, "acme").get("slots").await?,
        None,
        "deleted for every replica"
    );
    assert!(tenant(&a, "globex").exists("slots").await?);

    tenant(&a, "globex").increment("generation", 1).await?;
    let mut keys = tenant(&b, "globex").keys().await?;
    keys.sort();
    assert_eq!(keys, ["generation", "slots"]);
    tenant(&b, "globex").clear().await?;
    assert_eq!(tenant(&a, "globex").keys().await?, Vec::<String>::new());
    Ok(())
}

#[tokio::test]
async fn values_expire_by_redis_and_counters_do_not() -> TestResult {
    let redis = Redis::start().map_err(|err| err.to_string())?;
    let caches = replica(&redis)?;
    let cache = caches.tenant("acme", Duration::from_secs(60));
    cache.set("slots".into(), b"[]".to_vec()).await?;
    cache.increment("generation", 1).await?;

    let ttl = pttl(&redis, "slotline:t:acme:v:slots").await?;
    assert!(
        (59_000..=60_000).contains(&ttl),
        "the tenant's TTL is Redis' expiry: {ttl} ms"
    );
    assert_eq!(pttl(&redis, "slotline:t:acme:n:generation").await?, -1);
    Ok(())
}

#[tokio::test]
async fn counters_are_exact_across_replicas() -> TestResult {
    let redis = Redis::start().map_err(|err| err.to_string())?;
    let replicas = [replica(&redis)?, replica(&redis)?];
    let mut tasks = Vec::new();
    for caches in &replicas {
        let cache = Arc::new(tenant(caches, "acme"));
        for _ in 0..4 {
            let cache = Arc::clone(&cache);
            tasks.push(tokio::spawn(async move {
                for _ in 0..250 {
                    cache.increment("capacity", 1).await?;
                }
                Ok::<_, CacheError>(())
            }));
        }
    }
    for task in tasks {
        task.await??;
    }
    assert_eq!(
        tenant(&replicas[0], "acme")
            .increment("capacity", 0)
            .await?,
        2_000
    );
    Ok(())
}

#[tokio::test]
async fn an_error_redis_answers_does_not_switch_the_cache_off() -> TestResult {
    let redis = Redis::start().map_err(|err| err.to_string())?;
    let caches = replica(&redis)?;
    let hostile = tenant(&caches, "hostile");
    hostile.increment("overflow", u64::MAX >> 1).await?;
    let overflow = hostile.increment("overflow", u64::MAX >> 1).await;
    assert!(
        matches!(overflow, Err(CacheError::Redis(_))),
        "{overflow:?}"
    );
    assert!(caches.is_up(), "Redis answered: it is up");
    let neighbour = tenant(&caches, "neighbour");
    neighbour.set("slots".into(), b"[]".to_vec()).await?;
    assert_eq!(neighbour.get("slots").await?, Some(b"[]".to_vec()));
    Ok(())
}

#[tokio::test]
async fn a_dead_redis_costs_one_failure_then_is_skipped_until_retry() -> TestResult {
    let mut redis = Redis::start().map_err(|err| err.to_string())?;
    let caches = replica(&redis)?;
    let cache = tenant(&caches, "acme");
    cache.set("slots".into(), b"[]".to_vec()).await?;
    assert!(caches.is_up());

    redis.stop();
    let first = cache.get("slots").await;
    assert!(
        matches!(first, Err(CacheError::Redis(_) | CacheError::Timeout(_))),
        "{first:?}"
    );
    assert!(!caches.is_up());
    // Within `retry_after_ms` no command is sent: the answer is immediate.
    for _ in 0..100 {
        assert!(matches!(
            cache.get("slots").await,
            Err(CacheError::Unavailable)
        ));
        assert!(matches!(
            cache.set("slots".into(), b"[]".to_vec()).await,
            Err(CacheError::Unavailable)
        ));
    }
    Ok(())
}
