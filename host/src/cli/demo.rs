//! `slotline demo`: the Cal.com simulator and a gateway with the demo tenant `demo`, in one
//! process (only with the `demo` feature, on by default).

use std::net::SocketAddr;

use anyhow::{Context, Result};
use chrono::{Datelike, Weekday};
use slotline::gateway::Gateway;

/// Runs the simulator and the gateway until the process ends, after printing how to try it.
pub async fn run(listen: SocketAddr) -> Result<()> {
    let simulator = calsim::Simulator::demo()
        .spawn(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .context("cannot start the Cal.com simulator")?;
    let mut config = slotline::demo::config(listen, simulator.addr);
    // Uploaded plugin versions of the demo live until the machine cleans its temp directory.
    config.server.data_dir = Some(std::env::temp_dir().join("slotline-demo"));
    let gateway = Gateway::from_config(&config).await?;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    // The calendar tells the gateway about every booking change, signed, as Cal.com does: a
    // booking made in the simulator directly disappears from the offers at once.
    let bound = listener
        .local_addr()
        .with_context(|| format!("cannot tell the address bound for {listen}"))?;
    slotline::demo::subscribe(&simulator.sim, bound);

    let date = next_workday();
    let body = slotline::demo::check_availability_body("demo-call-1", &date, "15:00");
    let exe = std::env::current_exe()
        .map(|path| path.display().to_string())
        .unwrap_or_else(|_| "slotline".to_owned());
    println!("Slotline demo");
    println!("  gateway            http://{listen}  (tenant `demo`, locale de, Europe/Berlin)");
    println!(
        "  Cal.com simulator  http://{}/v2  (API key {}; signed webhooks to the gateway)",
        simulator.addr,
        slotline::demo::CALCOM_API_KEY
    );
    println!(
        "  operator console   http://{listen}/console  (sign in with {})",
        slotline::demo::ADMIN_TOKEN
    );
    println!();
    println!("Ask whether {date} at 15:00 is free (a signed Retell call; paste into a shell):");
    println!();
    println!(
        "  BODY='{body}'; curl -s http://{listen}/v1/retell/demo -H 'content-type: application/json' -H \"X-Retell-Signature: $({exe} sign --key {} \"$BODY\")\" -d \"$BODY\"; echo",
        slotline::demo::RETELL_API_KEY
    );
    println!();
    // The demo's configuration is built in, not a file `slotline agent export` could read:
    // the admin endpoint answers the same definitions.
    println!("Connect an agent: the demo tenant's tool definitions for Retell and Vapi:");
    println!();
    for platform in ["retell", "vapi"] {
        println!(
            "  curl -s -H 'Authorization: Bearer {}' 'http://{listen}/v1/admin/tenants/demo/agent?platform={platform}'",
            slotline::demo::ADMIN_TOKEN
        );
    }
    println!(
        "  MCP clients: http://{listen}/v1/mcp/demo with 'Authorization: Bearer {}'",
        slotline::demo::MCP_TOKEN
    );
    println!();
    gateway.serve(listener).await?;
    drop(simulator);
    Ok(())
}

/// The next Monday-to-Friday day after today, in the demo's timezone.
fn next_workday() -> String {
    let mut day = chrono::Utc::now()
        .with_timezone(&chrono_tz::Europe::Berlin)
        .date_naive();
    loop {
        day = day.succ_opt().unwrap_or(day);
        if !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
            return day.format("%Y-%m-%d").to_string();
        }
    }
}
