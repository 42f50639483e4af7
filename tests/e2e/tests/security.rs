//! The hardened shell, tested from outside as an attacker would try it: the app opens no
//! network connection while a manager works (every connect and send of the app and its WebKit
//! processes traced with strace), the webview refuses to leave the app's own pages, and the
//! window may call the app's own commands only: no core API, no plugin command.

use std::os::unix::fs::PermissionsExt;

use samtale_e2e::{app_binary, save_file, App, Driver, Profile};

/// Runs `script` in the page and returns what it passes to its callback (the last argument).
async fn run_async(app: &App, script: &str) -> String {
    app.client
        .execute_async(script, vec![])
        .await
        .unwrap_or_else(|e| panic!("script failed: {e}"))
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// A socket address of a traced `connect`, `sendto` or `sendmsg` that is not on this machine:
/// an internet address outside loopback. Unix sockets (X11, D-Bus) and netlink are local.
fn remote_address(line: &str) -> Option<String> {
    let family = ["AF_INET6", "AF_INET"]
        .into_iter()
        .find(|f| line.contains(&format!("sa_family={f}")))?;
    let address = if family == "AF_INET" {
        line.split("inet_addr(\"").nth(1)?.split('"').next()?
    } else {
        line.split("inet_pton(AF_INET6, \"")
            .nth(1)?
            .split('"')
            .next()?
    };
    let local = address.starts_with("127.") || address == "::1" || address == "::ffff:127.0.0.1";
    (!local).then(|| address.to_owned())
}

#[tokio::test(flavor = "multi_thread")]
async fn the_app_opens_no_network_connection_while_a_manager_works() {
    let strace = std::process::Command::new("strace").arg("-V").output();
    assert!(
        strace.is_ok_and(|o| o.status.success()),
        "strace not found: install Debian's strace (make deps-test does)"
    );
    let profile = Profile::new();
    let log = profile.dir.path().join("strace.log");
    // WebKitWebDriver starts the app with its own arguments: the script passes them on.
    let wrapper = profile.dir.path().join("traced-app");
    std::fs::write(
        &wrapper,
        format!(
            "#!/bin/sh\nexec strace -f -qq -e trace=connect,sendto,sendmsg -o '{}' '{}' \"$@\"\n",
            log.display(),
            app_binary().display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).unwrap();

    let driver = Driver::start(&profile);
    let app = driver.launch_binary(&wrapper).await;
    // What a manager does in a first session: the demo, every page, an export.
    app.click("open-demo").await;
    app.wait_for_text("org-title", "(demo)").await;
    for page in [
        "talks",
        "actions",
        "competences",
        "units",
        "guides",
        "hr",
        "people",
        "overview",
    ] {
        app.click(&format!("nav-{page}")).await;
        app.wait_for("[data-testid=page-title]").await;
    }
    app.click("nav-hr").await;
    let file = profile.dir.path().join("hr.xlsx");
    app.click("hr-own-export-xlsx").await;
    save_file("Save the export", &file).await;
    app.wait_for_text("hr-own-export-saved", "hr.xlsx").await;
    app.quit().await;
    drop(driver);

    let traced = std::fs::read_to_string(&log).expect("strace wrote its log");
    // The trace saw the app at work: its window talks to the X server over a Unix socket.
    assert!(
        traced.contains("sa_family=AF_UNIX"),
        "the trace holds no socket call at all:\n{traced}"
    );
    let remote: Vec<&str> = traced
        .lines()
        .filter(|l| remote_address(l).is_some())
        .collect();
    assert!(
        remote.is_empty(),
        "the app reached out to the network:\n{}",
        remote.join("\n")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_webview_refuses_to_leave_the_app_and_may_call_only_the_app_s_commands() {
    let profile = Profile::new();
    let driver = Driver::start(&profile);
    let app = driver.launch().await;
    let origin = run_async(&app, "arguments[0](location.origin)").await;

    // A link or script that would take the window to a remote page: refused, the app stays.
    app.client
        .execute("location.href = 'https://example.org/'", vec![])
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    assert_eq!(
        run_async(&app, "arguments[0](location.origin)").await,
        origin
    );
    app.wait_for("[data-testid=create-org]").await;

    // The app's own command answers; Tauri's core APIs and the dialog plugin's commands, which
    // a script could otherwise use to read paths or open files, are refused.
    let call = |command: &str| {
        format!(
            "const done = arguments[arguments.length - 1];
             window.__TAURI_INTERNALS__.invoke('{command}', {{}})
               .then(() => done('allowed'), (e) => done('refused: ' + String(e)));"
        )
    };
    assert_eq!(run_async(&app, &call("app_state")).await, "allowed");
    for command in [
        "plugin:app|version",
        "plugin:path|resolve_directory",
        "plugin:event|listen",
        "plugin:webview|create_webview_window",
        "plugin:dialog|open",
    ] {
        let answer = run_async(&app, &call(command)).await;
        assert!(
            answer.starts_with("refused") && answer.contains("not allowed"),
            "{command}: {answer}"
        );
    }
    app.quit().await;
}
