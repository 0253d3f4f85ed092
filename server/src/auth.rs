//! Passwords (argon2id), login sessions that survive restarts, and login throttling.
use crate::storage::StoreError;
use crate::storage::{now_unix, Session, Store, User};
use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use base64::Engine;
use rand::{Rng, RngCore};
use sha2::{Digest, Sha256};
use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};
use ulid::Ulid;

pub const SESSION_COOKIE: &str = "mpf_session";
pub const CSRF_COOKIE: &str = "mpf_csrf";
pub const LANG_COOKIE: &str = "mpf_lang";
/// How long a login lasts.
pub const SESSION_TTL_SECS: i64 = 30 * 24 * 3600;

/// Argon2id with the crate's defaults (OWASP's 19 MiB / 2 passes / 1 lane).
pub fn hash_password(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 with default parameters cannot fail")
        .to_string()
}

pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Spends the same time as a real check, so a wrong login cannot be told from a wrong password.
pub fn burn_verify(password: &str) {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let phc = DUMMY.get_or_init(|| hash_password("mpforge-timing-equaliser"));
    let _ = verify_password(password, phc);
}

/// A random secret for cookies, URL-safe.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// A readable generated password (no look-alike characters).
pub fn generate_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789";
    let mut rng = rand::thread_rng();
    let chars: String = (0..16)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect();
    format!(
        "{}-{}-{}-{}",
        &chars[..4],
        &chars[4..8],
        &chars[8..12],
        &chars[12..]
    )
}

/// Sessions are stored under a hash of their token: a copy of the database opens no session.
fn session_key(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

pub fn create_session(store: &Store, user_id: Ulid) -> Result<String, StoreError> {
    let token = random_token();
    let now = now_unix();
    store.sessions.insert(
        &session_key(&token),
        &Session {
            user_id,
            created_at: now,
            expires_at: now + SESSION_TTL_SECS,
        },
    )?;
    Ok(token)
}

/// The user behind a session token, if the session exists and has not expired.
pub fn session_user(store: &Store, token: &str) -> Result<Option<User>, StoreError> {
    let key = session_key(token);
    let Some(session) = store.sessions.get(&key)? else {
        return Ok(None);
    };
    if session.expires_at <= now_unix() {
        store.sessions.remove(&key)?;
        return Ok(None);
    }
    store.users.get(&session.user_id)
}

pub fn end_session(store: &Store, token: &str) -> Result<(), StoreError> {
    store.sessions.remove(&session_key(token))?;
    Ok(())
}

/// Counts recent failed logins per login name and per client address; too many in the window
/// blocks further attempts until the oldest failure leaves the window.
pub struct LoginThrottle {
    max_failures: usize,
    window: Duration,
    failures: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl Default for LoginThrottle {
    fn default() -> Self {
        LoginThrottle::new(5, Duration::from_secs(15 * 60))
    }
}

impl LoginThrottle {
    pub fn new(max_failures: usize, window: Duration) -> Self {
        LoginThrottle {
            max_failures,
            window,
            failures: Mutex::new(HashMap::new()),
        }
    }

    fn prune(&self, q: &mut VecDeque<Instant>, now: Instant) {
        while q
            .front()
            .is_some_and(|t| now.duration_since(*t) >= self.window)
        {
            q.pop_front();
        }
    }

    /// True when any of `keys` has used up its attempts.
    pub fn is_blocked(&self, keys: &[String], now: Instant) -> bool {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        keys.iter().any(|k| {
            map.get_mut(k).is_some_and(|q| {
                self.prune(q, now);
                q.len() >= self.max_failures
            })
        })
    }

    pub fn record_failure(&self, keys: &[String], now: Instant) {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        // Bound memory under a flood of distinct names: drop entries that have aged out.
        if map.len() > 10_000 {
            map.retain(|_, q| {
                q.back()
                    .is_some_and(|t| now.duration_since(*t) < self.window)
            });
        }
        for k in keys {
            let q = map.entry(k.clone()).or_default();
            self.prune(q, now);
            q.push_back(now);
        }
    }

    /// A successful login clears that login's count (not the address's).
    pub fn record_success(&self, login_key: &str) {
        self.failures
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(login_key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_with_argon2id_and_verify() {
        let h = hash_password("correct horse battery");
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("correct horse batterY", &h));
        assert!(!verify_password("x", "not a hash"));
        // Salted: the same password hashes differently.
        assert_ne!(h, hash_password("correct horse battery"));
    }

    #[test]
    fn generated_passwords_are_long_and_distinct() {
        let a = generate_password();
        assert_eq!(a.len(), 19);
        assert_ne!(a, generate_password());
    }

    #[test]
    fn sessions_survive_reopen_and_expire() {
        let dir = tempfile::tempdir().unwrap();
        let user = Ulid::new();
        let token = {
            let store = Store::open(dir.path()).unwrap();
            store
                .users
                .insert(
                    &user,
                    &User {
                        id: user,
                        login: "a".into(),
                        display_name: "A".into(),
                        password_hash: String::new(),
                        role: crate::storage::StoredRole::AgencyAdmin {
                            agency_id: Ulid::new(),
                        },
                        lang: Default::default(),
                        created_at: String::new(),
                    },
                )
                .unwrap();
            let t = create_session(&store, user).unwrap();
            store.db.flush().unwrap();
            t
        };
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(
            session_user(&store, &token).unwrap().map(|u| u.id),
            Some(user)
        );
        assert!(session_user(&store, "forged").unwrap().is_none());
        // The raw token is not what is stored.
        assert!(store.sessions.get(token.as_str()).unwrap().is_none());
        end_session(&store, &token).unwrap();
        assert!(session_user(&store, &token).unwrap().is_none());

        let expired = create_session(&store, user).unwrap();
        let key = session_key(&expired);
        let mut s = store.sessions.get(&key).unwrap().unwrap();
        s.expires_at = now_unix() - 1;
        store.sessions.insert(&key, &s).unwrap();
        assert!(session_user(&store, &expired).unwrap().is_none());
        assert!(
            store.sessions.get(&key).unwrap().is_none(),
            "expired session is removed"
        );
    }

    #[test]
    fn throttle_blocks_after_repeated_failures_and_recovers() {
        let th = LoginThrottle::new(3, Duration::from_secs(60));
        let t0 = Instant::now();
        let keys = ["login:ann".to_string(), "ip:1.2.3.4".to_string()];
        for i in 0..3 {
            assert!(!th.is_blocked(&keys, t0), "attempt {i}");
            th.record_failure(&keys, t0 + Duration::from_secs(i));
        }
        assert!(th.is_blocked(&keys, t0 + Duration::from_secs(10)));
        // Another login from the same address is blocked too; the same login elsewhere as well.
        assert!(th.is_blocked(
            &["login:bob".into(), "ip:1.2.3.4".into()],
            t0 + Duration::from_secs(10)
        ));
        assert!(th.is_blocked(
            &["login:ann".into(), "ip:9.9.9.9".into()],
            t0 + Duration::from_secs(10)
        ));
        assert!(!th.is_blocked(
            &["login:bob".into(), "ip:9.9.9.9".into()],
            t0 + Duration::from_secs(10)
        ));
        // Once the first failure leaves the window, one more try is allowed.
        assert!(!th.is_blocked(&keys, t0 + Duration::from_secs(61)));
    }

    #[test]
    fn success_clears_the_login_count() {
        let th = LoginThrottle::new(2, Duration::from_secs(60));
        let now = Instant::now();
        let keys = ["login:ann".to_string()];
        th.record_failure(&keys, now);
        th.record_success("login:ann");
        th.record_failure(&keys, now);
        assert!(!th.is_blocked(&keys, now));
    }
}
