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

/// Every key of `cache`, page by page as a plugin lists them, sorted and each once.
async fn all_keys(cache: &TenantCache) -> Result<Vec<String>, CacheError> {
    let mut keys = Vec::new();
    let mut cursor = None;
    loop {
        let (page, next) = cache.keys_page(cursor).await?;
        keys.extend(page);
        match next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    keys.sort();
    keys.dedup();
    Ok(keys)
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
    assert_eq!(all_keys(&tenant(&b, "acm")).await?, Vec::<String>::new());

    tenant(&b, "acme").delete("slots").await?;
    assert_eq!(
        tenant(&a, "acme").get("slots").await?,
        None,
        "deleted for every replica"
    );
    assert!(tenant(&a, "globex").exists("slots").await?);

    tenant(&a, "globex").increment("generation", 1).await?;
    assert_eq!(
        all_keys(&tenant(&b, "globex")).await?,
        ["generation", "slots"]
    );
    tenant(&b, "globex").clear().await?;
    assert_eq!(all_keys(&tenant(&a, "globex")).await?, Vec::<String>::new());
    Ok(())
}

#[tokio::test]
async fn keys_are_listed_a_bounded_page_at_a_time_each_one_at_least_once() -> TestResult {
    let redis = Redis::start().map_err(|err| err.to_string())?;
    let caches = replica(&redis)?;
    let cache = tenant(&caches, "acme");
    for n in 0..3_000 {
        cache.set(format!("slots:{n}"), Vec::new()).await?;
    }
    for n in 0..50 {
        cache.increment(&format!("gen:{n}"), 1).await?;
    }
    tenant(&caches, "globex")
        .set("theirs".into(), Vec::new())
        .await?;
    let mut pages = 0;
    let mut cursor = None;
    loop {
        let (page, next) = cache.keys_page(cursor).await?;
        pages += 1;
        assert!(
            page.len() <= 2 * slotline::cache::KEYS_PAGE,
            "{} keys in one page",
            page.len()
        );
        match next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert!(pages >= 3, "3,050 keys in {pages} pages");
    let keys = all_keys(&cache).await?;
    assert_eq!(keys.len(), 3_050, "every key once, and none of globex's");
    assert!(keys.iter().any(|key| key == "gen:49"));
    // A cursor the host never gave is refused, not read as a position.
    assert!(matches!(
        cache.keys_page(Some(1 << 62)).await,
        Err(CacheError::Cursor)
    ));
    Ok(())
}

#[tokio::test]
async fn values_expire_with_the_tenants_ttl_and_counters_a_day_after_their_last_use() -> TestResult
{
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
    // Every key a tenant makes can expire, so Redis can evict it under `volatile-*`.
    let day = 24 * 60 * 60 * 1000;
    let counters = pttl(&redis, "slotline:t:acme:c").await?;
    assert!(
        (day - 2_000..=day).contains(&counters),
        "counters live a day after their last increment: {counters} ms"
    );
    Ok(())
}

#[tokio::test]
async fn a_tenant_filling_the_shared_cache_is_refused_at_its_quota_and_its_neighbour_is_not()
-> TestResult {
    let redis = Redis::start().map_err(|err| err.to_string())?;
    let (a, b) = (replica(&redis)?, replica(&redis)?);
    let hostile = tenant(&a, "hostile");
    let on_b = tenant(&b, "hostile");
    // 64 KiB values: 16 MiB of them is about 256, whichever replica writes them.
    let value = vec![b'x'; 64 * 1024];
    let mut stored = 0;
    let refusal = loop {
        let cache = if stored % 2 == 0 { &hostile } else { &on_b };
        match cache.set(format!("blob-{stored}"), value.clone()).await {
            Ok(()) => stored += 1,
            Err(err) => break err,
        }
        assert!(stored < 1_000, "never refused");
    };
    assert!(
        matches!(refusal, CacheError::Quota(limit) if limit.label() == "cache_bytes"),
        "{refusal:?}"
    );
    assert!((240..=256).contains(&stored), "{stored} values of 64 KiB");
    // What it stored is still served; the neighbour writes and reads as before.
    assert_eq!(hostile.get("blob-0").await?, Some(value.clone()));
    let neighbour = tenant(&b, "neighbour");
    neighbour.set("slots".into(), value.clone()).await?;
    assert_eq!(neighbour.get("slots").await?, Some(value));

    // Millions of empty values are as bounded: by count.
    let many = tenant(&a, "many");
    let mut refusal = None;
    'writing: for round in 0..100 {
        let writes = (0..1_000).map(|n| many.set(format!("{round}-{n}"), Vec::new()));
        for outcome in futures::future::join_all(writes).await {
            if let Err(err) = outcome {
                refusal = Some(err);
                break 'writing;
            }
        }
    }
    assert!(
        matches!(refusal, Some(CacheError::Quota(limit)) if limit.label() == "cache_keys"),
        "{refusal:?}"
    );

    // Counters too, by their keys' bytes; what exists still counts, and a delete gives room.
    let counters = tenant(&a, "counters");
    let long = |n: usize| format!("{n:01000}");
    let mut made = 0;
    while counters.increment(&long(made), 1).await.is_ok() {
        made += 1;
        assert!(made < 2_000, "never refused");
    }
    assert!((900..=1_000).contains(&made), "{made} counters of 1 KB");
    assert_eq!(counters.increment(&long(0), 1).await?, 2);
    counters.delete(&long(0)).await?;
    counters.increment(&long(made), 1).await?;
    assert!(counters.increment(&long(made + 1), 1).await.is_err());
    Ok(())
}

/// How many scripts Redis has run (`INFO commandstats`): the cache's writes are scripts.
async fn scripts_run(
    redis: &mut redis::aio::MultiplexedConnection,
) -> Result<u64, Box<dyn std::error::Error>> {
    let stats: String = redis::cmd("INFO")
        .arg("commandstats")
        .query_async(redis)
        .await?;
    let calls = stats
        .lines()
        .find_map(|line| line.strip_prefix("cmdstat_eval:calls="))
        .and_then(|rest| rest.split(',').next())
        .unwrap_or("0")
        .parse()?;
    Ok(calls)
}

#[tokio::test]
async fn one_tenants_timeouts_skip_redis_for_that_tenant_only() -> TestResult {
    let redis = Redis::start().map_err(|err| err.to_string())?;
    let caches = Caches::from_config(&CacheConfig {
        backend: CacheBackendKind::Redis,
        url: Some(Secret::new(redis.url())),
        timeout_ms: 20,
        retry_after_ms: 60_000,
        ..CacheConfig::default()
    })?;
    let hostile = tenant(&caches, "hostile");
    let neighbour = tenant(&caches, "neighbour");
    neighbour.set("slots".into(), b"[]".to_vec()).await?;
    let client = redis::Client::open(redis.url())?;
    // The test's own connection waits as long as Redis needs: redis-rs would otherwise give up
    // after 500 ms while Redis is still reading the huge value.
    let unbounded = redis::AsyncConnectionConfig::new().set_response_timeout(None);
    let mut direct = client
        .get_multiplexed_async_connection_with_config(&unbounded)
        .await?;
    let before = scripts_run(&mut direct).await?;
    // Far more than a plugin may hand the host at once: Redis takes longer than the budget.
    let huge = hostile
        .set("huge".into(), vec![b'x'; 256 * 1024 * 1024])
        .await;
    assert!(
        huge.as_ref().is_err_and(CacheError::is_unreachable),
        "timed out: {huge:?}"
    );
    // Once Redis is done with it, the neighbour is served; the hostile tenant skips Redis.
    let since = std::time::Instant::now();
    while scripts_run(&mut direct).await? == before {
        assert!(
            since.elapsed() < Duration::from_secs(30),
            "Redis never ran it"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(neighbour.get("slots").await?, Some(b"[]".to_vec()));
    assert!(matches!(
        hostile.get("slots").await,
        Err(CacheError::Unavailable)
    ));
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
