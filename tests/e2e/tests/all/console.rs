//! The operator console in a real headless Chromium: an operator signs in, sees the calls
//! the agent just made with their waterfalls, uploads, activates and rolls back plugin
//! versions, works through a callback; a tenant sees only its own tenant. Each page is saved
//! as a screenshot under `target/console-screenshots/`.

use anyhow::{Context, Result, bail, ensure};
use fantoccini::{Client, Locator};
use serde_json::{Value, json};
use slotline::config::{Config, Secret};
use slotline_e2e::browser::{self, Browser, PATIENCE};
use slotline_e2e::{DataDir, Harness, THURSDAY, TestResult, call_from, retell_call_event};

const OPERATOR: &str = slotline::demo::ADMIN_TOKEN;
const OTHER_TOKEN: &str = "other-console-token";
const CALLER: &str = "+4915112345678";
/// What a hostile caller (or plugin) might get into the log: shown as text, never run.
const MARKUP: &str = "<img src=x onerror=\"document.title='pwned'\">Rückfrage";
/// The WebDriver key code of Enter.
const ENTER: &str = "\u{E007}";

fn configure(config: &mut Config, data: &DataDir) {
    config.server.data_dir = Some(data.0.clone());
    if let Some(demo) = config.tenants.get_mut("demo") {
        demo.hold_slots = false;
        demo.warmup.per_minute = 0;
    }
    let mut other = slotline_e2e::plugins::test_tenant("echo", &[("reply", "other")], &[]);
    other.admin_token = Some(Secret::new(OTHER_TOKEN));
    config.tenants.insert("other".into(), other);
}

async fn tool(harness: &Harness, name: &str, args: Value, call_id: &str) -> Result<Value> {
    let (status, reply) = harness
        .retell(&call_from(name, args, call_id, CALLER))
        .await;
    ensure!(status == 200, "{name}: {status} {reply}");
    Ok(reply)
}

/// Waits for an element matching the XPath `path`.
async fn wait_for(client: &Client, path: &str) -> Result<fantoccini::elements::Element> {
    client
        .wait()
        .at_most(PATIENCE)
        .for_element(Locator::XPath(path))
        .await
        .with_context(|| format!("the page never showed {path}"))
}

async fn css_count(client: &Client, css: &str) -> Result<usize> {
    Ok(client.find_all(Locator::Css(css)).await?.len())
}

async fn go(client: &Client, harness: &Harness, hash: &str) -> Result<()> {
    client
        .goto(&harness.url(&format!("/console{hash}")))
        .await?;
    Ok(())
}

/// Whether the page is no wider than the window: nothing to scroll sideways.
async fn fits_the_window(client: &Client) -> Result<bool> {
    let fits = client
        .execute(
            "return document.documentElement.scrollWidth <= window.innerWidth + 1",
            vec![],
        )
        .await?;
    Ok(fits == json!(true))
}

async fn digest_served(harness: &Harness) -> Result<String> {
    let tenant: Value = harness
        .http
        .get(harness.url("/v1/admin/tenants/demo"))
        .bearer_auth(OPERATOR)
        .send()
        .await?
        .json()
        .await?;
    tenant["plugin_digest"]
        .as_str()
        .map(str::to_owned)
        .context("no plugin digest")
}

async fn plugins_listing(harness: &Harness) -> Result<Value> {
    Ok(harness
        .http
        .get(harness.url("/v1/admin/tenants/demo/plugins"))
        .bearer_auth(OPERATOR)
        .send()
        .await?
        .json()
        .await?)
}

fn sha256(path: &std::path::Path) -> Result<String> {
    use sha2::{Digest, Sha256};
    Ok(hex::encode(Sha256::digest(std::fs::read(path)?)))
}

async fn sign_in(client: &Client, token: &str) -> Result<()> {
    let field = wait_for(client, "//input[@id='token']").await?;
    field.send_keys(token).await?;
    // The keyboard alone signs in: Enter in the field submits the form.
    field.send_keys(ENTER).await?;
    Ok(())
}

/// The agent's side of one phone call: started, two checks (the second from the cache), a
/// booking, a callback request with markup in it, ended.
async fn make_calls(harness: &Harness) -> Result<()> {
    let (status, _) = harness
        .retell_webhook(
            "demo",
            "events",
            &retell_call_event("call_started", "console-1"),
        )
        .await;
    ensure!(status == 204, "call_started: {status}");
    let wish = json!({ "date": THURSDAY, "time": "11:00" });
    tool(harness, "check_availability", wish.clone(), "console-1").await?;
    tool(harness, "check_availability", wish, "console-1").await?;
    let booked = tool(
        harness,
        "create_booking",
        json!({ "date": THURSDAY, "time": "11:00", "name": "Anna Schmidt" }),
        "console-1",
    )
    .await?;
    ensure!(booked["success"] == true, "{booked}");
    let callback = tool(
        harness,
        "request_callback",
        json!({ "name": "Jonas Weber", "grund": MARKUP, "wunschzeit": "nachmittags" }),
        "console-1",
    )
    .await?;
    ensure!(callback["success"] == true, "{callback}");
    let (status, _) = harness
        .retell_webhook(
            "demo",
            "events",
            &retell_call_event("call_ended", "console-1"),
        )
        .await;
    ensure!(status == 204, "call_ended: {status}");
    harness.gateway.flush_call_log().await;
    Ok(())
}

async fn operator_flow(client: &Client, harness: &Harness, data: &DataDir) -> Result<()> {
    let shots = browser::screenshot_dir();
    go(client, harness, "").await?;
    wait_for(client, "//input[@id='token']").await?;
    browser::screenshot(client, &shots, "01-sign-in").await?;
    sign_in(client, OPERATOR).await?;
    wait_for(client, "//section[@data-tenant='demo']").await?;

    make_calls(harness).await?;

    // Tenants at a glance: the call and its four tool calls, a chart of p50/p95 per tool.
    go(client, harness, "#/").await?;
    wait_for(
        client,
        "//section[@data-tenant='demo']//dd[@data-stat='tool_calls' and normalize-space(.)='4']",
    )
    .await?;
    wait_for(
        client,
        "//section[@data-tenant='demo']//dd[@data-stat='calls' and normalize-space(.)='1']",
    )
    .await?;
    wait_for(
        client,
        "//section[@data-tenant='demo']//div[@data-chart='demo']//canvas",
    )
    .await?;
    browser::screenshot(client, &shots, "02-tenants").await?;

    // The tenant's calls, each with its waterfall; the first check went to Cal.com.
    client
        .find(Locator::XPath("//section[@data-tenant='demo']//h2/a"))
        .await?
        .click()
        .await?;
    wait_for(
        client,
        "//tr[@data-call-id='console-1' and @data-tool='create_booking']",
    )
    .await?;
    let rows = css_count(client, "tr[data-call-id='console-1']").await?;
    ensure!(
        rows == 4,
        "the list shows {rows} of the call's 4 tool calls"
    );
    let upstream = css_count(
        client,
        "tr[data-tool='check_availability'] .mini .k-upstream",
    )
    .await?;
    ensure!(
        upstream >= 1,
        "no check's waterfall shows its Cal.com request"
    );
    browser::screenshot(client, &shots, "03-calls").await?;

    // A filter the API cannot read is refused naming the parameter, on the page.
    let filter = client.find(Locator::Id("filter-tool")).await?;
    filter.send_keys("no_such_tool").await?;
    filter.send_keys(ENTER).await?;
    wait_for(
        client,
        "//div[@class='error' and contains(., 'query parameter `tool`')]",
    )
    .await?;

    // One call as a timeline: its events and each tool call's waterfall.
    go(client, harness, "#/t/demo/calls/console-1").await?;
    wait_for(client, "//li[@data-event='call_started']").await?;
    wait_for(client, "//li[@data-event='call_ended']").await?;
    let checks = css_count(client, "li.toolcall[data-tool='check_availability']").await?;
    ensure!(checks == 2, "the timeline shows {checks} checks, not 2");
    wait_for(
        client,
        "//li[@data-tool='check_availability']//div[@class='name' and starts-with(., 'GET ') and contains(., '/v2/slots')]",
    )
    .await?;
    wait_for(client, "//li[@data-tool='create_booking']//div[@class='name' and starts-with(., 'POST ') and contains(., '/v2/bookings')]").await?;
    browser::screenshot(client, &shots, "04-call").await?;

    // Plugin versions: upload and activate two, roll back to the first.
    // Chrome takes only canonical paths for a file input.
    let guest = slotline_e2e::plugins::test_plugin_path()
        .with_file_name("slotline_guest.wasm")
        .canonicalize()?;
    let salon = slotline_e2e::plugins::salon_plugin_path().canonicalize()?;
    go(client, harness, "#/t/demo/plugins").await?;
    for (path, version) in [(&guest, 1), (&salon, 2)] {
        let file = wait_for(client, "//input[@id='plugin-file']").await?;
        file.send_keys(&path.display().to_string()).await?;
        client
            .find(Locator::Id("plugin-activate"))
            .await?
            .click()
            .await?;
        client.find(Locator::Id("upload")).await?.click().await?;
        wait_for(
            client,
            &format!(
                "//div[@class='notice' and contains(., 'Uploaded version {version}, now active')]"
            ),
        )
        .await?;
    }
    ensure!(
        digest_served(harness).await? == sha256(&salon)?,
        "v2 is not served"
    );
    client.find(Locator::Id("rollback")).await?.click().await?;
    wait_for(
        client,
        "//div[@class='notice' and contains(., 'Version 1 is active')]",
    )
    .await?;
    ensure!(
        digest_served(harness).await? == sha256(&guest)?,
        "the rollback to v1 is not served"
    );
    wait_for(
        client,
        "//tr[@data-version='1']//span[contains(@class, 'badge') and .='active']",
    )
    .await?;
    browser::screenshot(client, &shots, "05-plugins").await?;

    // The calls made above replayed on v1, the version that answered them: all the same.
    client.find(Locator::Id("replay-1")).await?.click().await?;
    let report = wait_for(
        client,
        "//div[@id='replay-report']/div/p[@data-version='1' and contains(., 'calls replayed')]",
    )
    .await?;
    let text = report.text().await?;
    ensure!(
        text.contains(", 0 different,") && !text.contains(": 0 calls replayed"),
        "the replay of v1: {text}"
    );
    browser::screenshot(client, &shots, "05b-replay").await?;

    // A canary of v2 on a quarter of new calls, and its progress.
    let percent = client.find(Locator::Id("canary-percent")).await?;
    percent.clear().await?;
    percent.send_keys("25").await?;
    client.find(Locator::Id("canary-2")).await?.click().await?;
    wait_for(
        client,
        "//div[@id='canary-status']/p[@data-state='running' and @data-version='2' and contains(., 'on 25% of new calls')]",
    )
    .await?;
    let listing = plugins_listing(harness).await?;
    ensure!(
        listing["serving_canary"]["version"] == 2 && listing["active"] == 1,
        "the canary is not served: {listing}"
    );
    browser::screenshot(client, &shots, "05c-canary").await?;
    // Stopped by activating v1 by hand, so the calls below are all v1's.
    let stopped = harness
        .http
        .post(harness.url("/v1/admin/tenants/demo/plugins/1/activate"))
        .bearer_auth(OPERATOR)
        .send()
        .await?;
    ensure!(stopped.status() == 200, "v1 not activated");

    // 50 MB from the browser: the API's own size error, shown as it gave it.
    std::fs::create_dir_all(&data.0)?;
    let big = data.0.canonicalize()?.join("too-big.wasm");
    std::fs::write(&big, vec![0u8; 50 * 1024 * 1024])?;
    let file = client.find(Locator::Id("plugin-file")).await?;
    file.send_keys(&big.display().to_string()).await?;
    client.find(Locator::Id("upload")).await?.click().await?;
    wait_for(
        client,
        "//div[@id='plugin-feedback']/div[@class='error' and contains(., '413 body_too_large') and contains(., 'at most')]",
    )
    .await?;
    browser::screenshot(client, &shots, "06-upload-too-large").await?;

    // The callback to work through; what the caller said is text, not markup.
    go(client, harness, "#/t/demo/callbacks").await?;
    let waiting = wait_for(
        client,
        "//table[@id='open-callbacks']//tr[@data-status='open']",
    )
    .await?;
    ensure!(
        waiting.text().await?.contains("<img src=x"),
        "the caller's words are not shown as they were said"
    );
    ensure!(
        css_count(client, "main img").await? == 0,
        "markup from a call became an element"
    );
    browser::screenshot(client, &shots, "07-callbacks").await?;
    client
        .find(Locator::Css("#open-callbacks button[data-callback]"))
        .await?
        .click()
        .await?;
    wait_for(
        client,
        "//table[@id='done-callbacks']//tr[@data-status='done']",
    )
    .await?;
    let open = harness
        .http
        .get(harness.url("/v1/admin/tenants/demo/callbacks?status=open"))
        .bearer_auth(OPERATOR)
        .send()
        .await?
        .json::<Value>()
        .await?;
    ensure!(open["callbacks"] == json!([]), "still open: {open}");

    // On a phone: one column, nothing wider than the screen.
    client.set_window_size(390, 844).await?;
    go(client, harness, "#/").await?;
    wait_for(
        client,
        "//section[@data-tenant='demo']//div[@data-chart='demo']//canvas",
    )
    .await?;
    ensure!(
        fits_the_window(client).await?,
        "the tenants page is wider than a phone"
    );
    browser::screenshot(client, &shots, "08-phone-tenants").await?;
    go(client, harness, "#/t/demo/calls").await?;
    wait_for(client, "//tr[@data-call-id='console-1']").await?;
    ensure!(
        fits_the_window(client).await?,
        "the calls page is wider than a phone (the table should scroll)"
    );
    browser::screenshot(client, &shots, "09-phone-calls").await?;

    let title = client.title().await?;
    ensure!(
        !title.contains("pwned"),
        "script from a call ran in the console"
    );

    // A tenant's token sees its tenant only, and is told so when it asks for another.
    client.set_window_size(1280, 900).await?;
    go(client, harness, "#/").await?;
    client.find(Locator::Id("sign-out")).await?.click().await?;
    sign_in(client, OTHER_TOKEN).await?;
    wait_for(client, "//section[@data-tenant='other']").await?;
    if css_count(client, "section[data-tenant='demo']").await? != 0 {
        bail!("a tenant token sees another tenant");
    }
    go(client, harness, "#/t/demo/calls").await?;
    wait_for(
        client,
        "//div[@class='error' and contains(., '403 forbidden')]",
    )
    .await?;
    browser::screenshot(client, &shots, "10-tenant-forbidden").await?;
    Ok(())
}

#[tokio::test]
async fn an_operator_works_through_the_console_in_a_real_browser() -> TestResult {
    let data = DataDir::new("console");
    let harness = Harness::with(|config| configure(config, &data)).await;
    let browser = Browser::start().await?;
    let client = browser.session(1280, 900).await?;
    let outcome = operator_flow(&client, &harness, &data).await;
    if outcome.is_err() {
        // What the page showed when it went wrong, beside the others.
        let _ = browser::screenshot(&client, &browser::screenshot_dir(), "failed").await;
    }
    client.close().await?;
    outcome?;
    Ok(())
}
