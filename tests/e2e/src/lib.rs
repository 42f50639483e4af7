//! The harness of the end-to-end tests: starts tauri-driver with the app's data and cache
//! folders in a temporary directory, opens WebDriver sessions on the real release binary and
//! gives the tests a few user-level verbs (click, type, choose, read).
//!
//! Anything missing (display, driver, binary) is a failure with a message saying what to
//! install: an end-to-end test that cannot run must never pass by skipping.

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;

/// A port nobody listens on now. Each driver gets its own pair, so a stray driver left on the
/// default 4444/4445 (or another run's) is never the one a test talks to.
fn free_port() -> u16 {
    std::net::TcpListener::bind(("127.0.0.1", 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free local port")
}

/// The release binary the tests drive.
pub fn app_binary() -> PathBuf {
    if let Some(p) = std::env::var_os("SAMTALE_APP") {
        return PathBuf::from(p);
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/release/samtale-app")
}

fn which(name: &str) -> Option<PathBuf> {
    let home_bin = std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo/bin"));
    std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .chain(home_bin)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

fn preflight() -> PathBuf {
    assert!(
        std::env::var_os("DISPLAY").is_some(),
        "no DISPLAY: run the end-to-end tests under xvfb-run (make test does)"
    );
    assert!(
        which("WebKitWebDriver").is_some(),
        "WebKitWebDriver not found: install Debian's webkit2gtk-driver (make deps-test does)"
    );
    let bin = app_binary();
    assert!(
        bin.is_file(),
        "no release app at {}: build it with `make app` first",
        bin.display()
    );
    assert!(
        which("xdotool").is_some(),
        "xdotool not found: install Debian's xdotool (make deps-test does); the tests answer the \
         system's file dialogs with it"
    );
    which("tauri-driver").expect(
        "tauri-driver not found: `cargo install --locked tauri-driver@2.1.0` (make deps-test does)",
    )
}

/// A Secret Service of the test's own: a private session bus with GNOME Keyring on it, its
/// login keyring in a temporary folder, created and unlocked at start (what a desktop login
/// does). Never the developer's keyring: the app reaches it only through this bus's address.
/// Stopping the bus stops the keyring daemon with it.
pub struct SecretService {
    bus: Child,
    address: String,
    _dir: tempfile::TempDir,
}

impl SecretService {
    pub fn start() -> SecretService {
        use std::io::{BufRead, Write};
        for tool in ["dbus-daemon", "gnome-keyring-daemon", "secret-tool"] {
            assert!(
                which(tool).is_some(),
                "{tool} not found: install Debian's dbus-daemon, gnome-keyring and \
                 libsecret-tools (make deps-test does)"
            );
        }
        let dir = tempfile::tempdir().expect("temp dir");
        let mut bus = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--print-address=1"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start a session bus");
        let mut address = String::new();
        std::io::BufReader::new(bus.stdout.take().expect("the bus's address"))
            .read_line(&mut address)
            .expect("read the bus's address");
        let address = address.trim().to_owned();
        assert!(!address.is_empty(), "the session bus printed no address");
        let mut keyring = Command::new("gnome-keyring-daemon")
            .args(["--unlock", "--components=secrets"])
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", dir.path())
            .env("XDG_DATA_HOME", dir.path().join("data"))
            .env("XDG_RUNTIME_DIR", dir.path())
            .env("DBUS_SESSION_BUS_ADDRESS", &address)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start gnome-keyring-daemon");
        // The password of the new login keyring, on stdin as a login manager gives it.
        keyring
            .stdin
            .take()
            .expect("the keyring's stdin")
            .write_all(b"login password of the test")
            .expect("unlock the keyring");
        // It forks its daemon and exits once the keyring is unlocked.
        let status = keyring.wait().expect("gnome-keyring-daemon");
        assert!(status.success(), "gnome-keyring-daemon failed ({status})");
        let service = SecretService {
            bus,
            address,
            _dir: dir,
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        while !service.answers() {
            assert!(
                Instant::now() < deadline,
                "the Secret Service did not answer"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        service
    }

    /// The session bus's address, for `DBUS_SESSION_BUS_ADDRESS`.
    pub fn address(&self) -> &str {
        &self.address
    }

    fn secret_tool(&self, args: &[&str]) -> std::process::Output {
        Command::new("secret-tool")
            .args(args)
            .env("DBUS_SESSION_BUS_ADDRESS", &self.address)
            .stdin(Stdio::null())
            .output()
            .expect("run secret-tool")
    }

    fn answers(&self) -> bool {
        self.secret_tool(&["search", "--all", "probe", "probe"])
            .status
            .code()
            .is_some_and(|c| c <= 1)
    }

    /// The labels of the items kept under the keychain service name of `keyring`, the crate
    /// the app keeps its keys with.
    pub fn items(&self, service: &str) -> Vec<String> {
        let out = self.secret_tool(&["search", "--all", "service", service]);
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .chain(String::from_utf8_lossy(&out.stderr).lines())
            .filter_map(|l| l.strip_prefix("label = "))
            .map(str::to_owned)
            .collect()
    }
}

impl Drop for SecretService {
    fn drop(&mut self) {
        let _ = self.bus.kill();
        let _ = self.bus.wait();
    }
}

/// The passphrase of the tests' stores: the app runs with no keychain (never a developer's
/// own) and, unless a test wants the unlock screen, with this in `SAMTALE_PASSPHRASE`.
pub const PASSPHRASE: &str = "en lang testsætning for ende-til-ende";

/// One app installation: its own data, cache and config folders, kept across restarts.
pub struct Profile {
    pub dir: tempfile::TempDir,
    /// Whether the app gets the passphrase from its environment (else a person types it).
    pub passphrase_in_env: bool,
    /// The session bus of the Secret Service the app keeps its key in; `None`: no keychain.
    pub keychain_bus: Option<String>,
}

impl Profile {
    pub fn new() -> Profile {
        Profile {
            dir: tempfile::tempdir().expect("temp dir"),
            passphrase_in_env: true,
            keychain_bus: None,
        }
    }

    /// A profile whose app keeps its store key in `keychain`, as on a desktop with one.
    pub fn with_keychain(keychain: &SecretService) -> Profile {
        Profile {
            passphrase_in_env: false,
            keychain_bus: Some(keychain.address().to_owned()),
            ..Profile::new()
        }
    }

    /// A profile whose app asks for its passphrase on screen, as on a machine without a
    /// keychain.
    pub fn typed_passphrase() -> Profile {
        Profile {
            passphrase_in_env: false,
            ..Profile::new()
        }
    }

    fn envs(&self) -> Vec<(&'static str, PathBuf)> {
        let d = self.dir.path();
        vec![
            ("XDG_DATA_HOME", d.join("data")),
            ("XDG_CACHE_HOME", d.join("cache")),
            ("XDG_CONFIG_HOME", d.join("config")),
            ("SAMTALE_EXPORT_DIR", d.join("exports")),
        ]
    }

    /// Where the app writes calendar files in this profile.
    pub fn export_dir(&self) -> PathBuf {
        self.dir.path().join("exports")
    }

    /// Writes to this profile's store through the core, before (or between) app runs; sets
    /// the store up under [`PASSPHRASE`] when there is none yet.
    pub fn seed<T>(&self, f: impl FnOnce(&mut samtale::Samtale) -> T) -> T {
        let mut app = self.open_store();
        f(&mut app)
    }

    /// The profile's store, opened (or set up) through the core under [`PASSPHRASE`].
    pub fn open_store(&self) -> samtale::Samtale {
        use samtale::store::vault::{NoKeychain, Unlock};
        let path = self.store_path();
        let clock = Box::new(samtale::SystemClock);
        if path.exists() {
            let how = Unlock::Passphrase(PASSPHRASE.into());
            samtale::Samtale::unlock(&path, clock, &NoKeychain, &how)
                .expect("open the profile's store")
        } else {
            samtale::Samtale::create(&path, clock, &NoKeychain, Some(PASSPHRASE))
                .expect("set up the profile's store")
                .app
        }
    }

    /// The store file the app opens in this profile.
    pub fn store_path(&self) -> PathBuf {
        self.dir.path().join("data/org.samtale.app/samtale.sqlite3")
    }
}

impl Default for Profile {
    fn default() -> Self {
        Profile::new()
    }
}

/// A running tauri-driver; stopped with SIGTERM on drop, so it takes WebKitWebDriver with it.
pub struct Driver {
    child: Child,
    port: u16,
}

impl Driver {
    pub fn start(profile: &Profile) -> Driver {
        let exe = preflight();
        let (port, native_port) = (free_port(), free_port());
        let mut cmd = Command::new(exe);
        cmd.arg("--port")
            .arg(port.to_string())
            .arg("--native-port")
            .arg(native_port.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        for (k, v) in profile.envs() {
            std::fs::create_dir_all(&v).unwrap();
            cmd.env(k, v);
        }
        cmd.env_remove("SAMTALE_DB");
        match &profile.keychain_bus {
            Some(bus) => cmd
                .env_remove("SAMTALE_KEYCHAIN")
                .env("DBUS_SESSION_BUS_ADDRESS", bus),
            None => cmd.env("SAMTALE_KEYCHAIN", "off"),
        };
        if profile.passphrase_in_env {
            cmd.env("SAMTALE_PASSPHRASE", PASSPHRASE);
        } else {
            cmd.env_remove("SAMTALE_PASSPHRASE");
        }
        // The first-run language follows the system's; fix it so the tests read known labels.
        cmd.env("LANG", "C.UTF-8")
            .env("LANGUAGE", "en")
            .env_remove("LC_ALL");
        // WebKit's GL shader cache is no use in a throwaway profile.
        cmd.env("MESA_SHADER_CACHE_DISABLE", "true");
        // GTK's file dialog saves its settings; there is no session bus to save them to.
        cmd.env("GSETTINGS_BACKEND", "memory");
        let mut child = cmd.spawn().expect("start tauri-driver");
        // tauri-driver accepts connections before the WebKitWebDriver it starts is listening,
        // and a session asked for in between is dropped mid-request: wait for both.
        let deadline = Instant::now() + Duration::from_secs(20);
        for p in [port, native_port] {
            while TcpStream::connect(("127.0.0.1", p)).is_err() {
                if let Ok(Some(status)) = child.try_wait() {
                    panic!("tauri-driver exited at start ({status})");
                }
                assert!(Instant::now() < deadline, "no driver listened on {p}");
                std::thread::sleep(Duration::from_millis(100));
            }
        }
        Driver { child, port }
    }

    /// Launches the app in a new session.
    pub async fn launch(&self) -> App {
        self.launch_binary(&app_binary()).await
    }

    /// Launches the app and leaves the recovery key of a store it has just set up on screen,
    /// for a test that reads it.
    pub async fn launch_showing_recovery_key(&self) -> App {
        self.start_app(&app_binary(), false).await
    }

    /// Launches `binary` (the app, or a script that runs it under a tool) in a new session.
    pub async fn launch_binary(&self, binary: &Path) -> App {
        self.start_app(binary, true).await
    }

    async fn start_app(&self, binary: &Path, past_recovery_key: bool) -> App {
        let mut caps = serde_json::Map::new();
        caps.insert(
            "tauri:options".into(),
            serde_json::json!({ "application": binary }),
        );
        caps.insert("browserName".into(), "wry".into());
        // A dropped connection while the session starts is the driver's hiccup, not the app's:
        // ask again a few times. An app that does not start still fails, with the last error.
        let mut attempt = 1;
        let client = loop {
            let result = ClientBuilder::new(hyper_connector())
                .capabilities(caps.clone())
                .connect(&format!("http://127.0.0.1:{}", self.port))
                .await;
            match result {
                Ok(client) => break client,
                Err(e) if attempt < 3 => {
                    eprintln!("WebDriver session attempt {attempt} failed: {e}; retrying");
                    attempt += 1;
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
                Err(e) => panic!("WebDriver session on the app: {e}"),
            }
        };
        let app = App { client };
        // The UI has started once the shell, the welcome screen or the lock screen is there.
        // A store the app has just set up shows its recovery key first: noted, and on.
        let first = app
            .wait_for(
                "[data-testid=page-title], [data-testid=create-org], [data-testid=lock-screen], \
                 [data-testid=recovery-key]",
            )
            .await;
        if past_recovery_key
            && first.attr("data-testid").await.ok().flatten().as_deref() == Some("recovery-key")
        {
            app.click("recovery-key-kept").await;
            app.click("recovery-key-done").await;
            app.wait_for("[data-testid=page-title], [data-testid=create-org]")
                .await;
        }
        app
    }
}

/// Answers the system's save dialog titled `title` with `path`: GTK's name field has the
/// focus with the suggested name in it; select it all, type the whole path, Enter.
pub async fn save_file(title: &str, path: &Path) {
    answer_dialog(title, "ctrl+a", path).await
}

/// Answers the system's file dialog titled `title` with `path`, as a person who types a path
/// would: GTK's location field (Ctrl+L), the path, Enter. WebDriver sees only the webview, so
/// the dialog (opened by Rust, never by the page) is driven through the X display with xdotool.
pub async fn pick_file(title: &str, path: &Path) {
    answer_dialog(title, "ctrl+l", path).await
}

async fn answer_dialog(title: &str, first_key: &str, path: &Path) {
    let xdotool = |args: &[&str]| {
        Command::new("xdotool")
            .args(args)
            .output()
            .expect("run xdotool")
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    let window = loop {
        let found = xdotool(&["search", "--onlyvisible", "--name", title]);
        if let Some(id) = String::from_utf8_lossy(&found.stdout).lines().next() {
            break id.to_owned();
        }
        assert!(
            Instant::now() < deadline,
            "no file dialog titled {title:?} appeared"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    // Without a window manager the dialog is not focused by itself.
    xdotool(&["windowfocus", "--sync", &window]);
    tokio::time::sleep(Duration::from_millis(300)).await;
    xdotool(&["key", "--clearmodifiers", first_key]);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let path = path.to_str().expect("a UTF-8 path");
    xdotool(&["type", "--delay", "10", path]);
    tokio::time::sleep(Duration::from_millis(300)).await;
    xdotool(&["key", "Return"]);
}

/// Plain HTTP: the driver listens on loopback only.
fn hyper_connector() -> HttpConnector {
    HttpConnector::new()
}

impl Drop for Driver {
    fn drop(&mut self) {
        // SIGTERM lets tauri-driver stop WebKitWebDriver; SIGKILL would orphan it.
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Driver {
    /// Kills the app this driver started, as a crash or a power cut would: no chance to save.
    pub fn kill_app(&self) {
        let pids: Vec<u32> = descendants(self.child.id())
            .into_iter()
            .filter(|&p| comm(p) == "samtale-app")
            .collect();
        assert!(!pids.is_empty(), "no running app to kill");
        for pid in pids {
            let _ = Command::new("kill")
                .arg("-KILL")
                .arg(pid.to_string())
                .status();
        }
    }
}

/// Runs an action on a fresh lookup of an element, and again while the element goes stale
/// under it: the UI re-renders after each answer from the core, and a person would simply
/// click again. Any other error, or staleness past 20 s, fails the test.
macro_rules! on_element {
    ($app:expr, $id:expr, |$el:ident| $action:expr) => {{
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let $el = $app.wait_for($id).await;
            match $action.await {
                Ok(value) => break value,
                Err(e) if e.is_stale_element_reference() && Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => panic!("{} on {}: {e}", stringify!($action), $id),
            }
        }
    }};
}

/// The app in one WebDriver session, with the verbs a person uses.
pub struct App {
    pub client: Client,
}

fn css(id: &str) -> String {
    if id.starts_with('[') || id.contains(' ') || id.contains(',') {
        id.to_owned()
    } else {
        format!("[data-testid=\"{id}\"]")
    }
}

impl App {
    pub async fn wait_for(&self, selector: &str) -> Element {
        let sel = css(selector);
        self.client
            .wait()
            .at_most(Duration::from_secs(20))
            .for_element(Locator::Css(&sel))
            .await
            .unwrap_or_else(|e| panic!("waited for {sel}: {e}"))
    }

    pub async fn click(&self, id: &str) {
        on_element!(self, id, |el| el.click());
    }

    /// Clears an input and types `text` into it, as a person would.
    pub async fn type_into(&self, id: &str, text: &str) {
        on_element!(self, id, |el| el.clear());
        on_element!(self, id, |el| el.send_keys(text));
    }

    /// Sets an input's value the way the browser does after a picker (date inputs).
    pub async fn set_value(&self, id: &str, value: &str) {
        on_element!(self, id, |el| self.client.execute(
            "const el = arguments[0]; el.value = arguments[1];
             el.dispatchEvent(new Event('input', { bubbles: true }));
             el.dispatchEvent(new Event('change', { bubbles: true }));",
            vec![serde_json::to_value(&el).unwrap(), value.into()],
        ));
    }

    /// Picks an option of a select, scrolled into view first as a person would: WebKitWebDriver
    /// refuses to select in a select outside the viewport.
    pub async fn choose(&self, id: &str, value: &str) {
        on_element!(self, id, |el| self.client.execute(
            "arguments[0].scrollIntoView({ block: 'center' });",
            vec![serde_json::to_value(&el).unwrap()],
        ));
        on_element!(self, id, |el| el.select_by_value(value));
    }

    /// The current value of an input or text area.
    pub async fn value(&self, id: &str) -> String {
        on_element!(self, id, |el| el.prop("value")).unwrap_or_default()
    }

    /// An attribute of the first element matching `id`.
    pub async fn attr(&self, id: &str, name: &str) -> String {
        on_element!(self, id, |el| el.attr(name)).unwrap_or_default()
    }

    /// Waits until an attribute of the element shows `want`.
    pub async fn wait_for_attr(&self, id: &str, name: &str, want: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let got = self.attr(id, name).await;
            if got == want {
                return;
            }
            if Instant::now() > deadline {
                panic!("{id} {name} stayed {got:?}, wanted {want:?}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn text(&self, id: &str) -> String {
        on_element!(self, id, |el| el.text())
    }

    pub async fn texts(&self, id: &str) -> Vec<String> {
        let els = self
            .client
            .find_all(Locator::Css(&css(id)))
            .await
            .expect("find all");
        let mut out = Vec::new();
        for e in els {
            out.push(e.text().await.unwrap_or_default());
        }
        out
    }

    /// Waits until some element matching `id` shows `needle`.
    pub async fn wait_for_text(&self, id: &str, needle: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if self.texts(id).await.iter().any(|t| t.contains(needle)) {
                return;
            }
            if Instant::now() > deadline {
                panic!("no {id} showed {needle:?}; saw {:?}", self.texts(id).await);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// When `SAMTALE_E2E_SHOTS` names a folder, the window as WebDriver renders it, for a
    /// person to look at (not an assertion).
    pub async fn shot(&self, name: &str) {
        if let Some(dir) = std::env::var_os("SAMTALE_E2E_SHOTS") {
            let png = self.client.screenshot().await.expect("screenshot");
            std::fs::write(PathBuf::from(dir).join(name), png).expect("write screenshot");
        }
    }

    /// The window at the smallest size the app is made for (1024×700).
    pub async fn smallest_window(&self) {
        self.client
            .set_window_size(1024, 700)
            .await
            .expect("resize the window");
    }

    /// Ends the session: the app quits.
    pub async fn quit(self) {
        self.client.close().await.expect("close session");
    }
}

/// Reads one number from the app's store, to prove what was (or was not) written.
pub fn count(store: &Path, sql: &str) -> i64 {
    use samtale::store::vault::{self, NoKeychain, Unlock};
    let key = vault::unlock(store, &NoKeychain, &Unlock::Passphrase(PASSPHRASE.into()))
        .expect("the store's key");
    let conn =
        rusqlite::Connection::open_with_flags(store, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .expect("open store");
    key.apply(&conn).expect("key the connection");
    conn.query_row(sql, [], |r| r.get(0)).expect("count")
}

/// Processes whose parent chain leads to `root`, `root` included.
pub fn descendants(root: u32) -> Vec<u32> {
    let mut parents = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        // The command may hold spaces; fields after the last ')' are fixed.
        let after = &stat[stat.rfind(')').map(|i| i + 2).unwrap_or(0)..];
        let ppid: u32 = after
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        parents.push((pid, ppid));
    }
    let mut out = vec![root];
    let mut i = 0;
    while i < out.len() {
        let p = out[i];
        out.extend(parents.iter().filter(|(_, pp)| *pp == p).map(|(c, _)| *c));
        i += 1;
    }
    out
}

/// The command name of a process.
pub fn comm(pid: u32) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/comm"))
        .unwrap_or_default()
        .trim()
        .to_owned()
}
