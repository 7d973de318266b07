//! API keys: a key file, then a systemd credential, then (last resort) an
//! environment variable. A key never appears in Debug output, logs or errors.

use crate::config::ProviderConfig;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// A secret whose Debug output is redacted.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    pub fn new(s: impl Into<String>) -> ApiKey {
        ApiKey(s.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ApiKey(***)")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("key file {path} is readable by group or others (mode {mode:o}); run chmod 600 on it")]
    Permissions { path: PathBuf, mode: u32 },
    #[error("cannot read key file {path}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("key file {path} is empty")]
    Empty { path: PathBuf },
}

/// Reads a key file, refusing one that group or others can read.
pub fn read_key_file(path: &Path) -> Result<ApiKey, KeyError> {
    let meta = std::fs::metadata(path).map_err(|source| KeyError::Read {
        path: path.into(),
        source,
    })?;
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(KeyError::Permissions {
            path: path.into(),
            mode,
        });
    }
    let text = std::fs::read_to_string(path).map_err(|source| KeyError::Read {
        path: path.into(),
        source,
    })?;
    let key = text.trim();
    if key.is_empty() {
        return Err(KeyError::Empty { path: path.into() });
    }
    Ok(ApiKey::new(key))
}

/// Finds the key of provider `p`: `api_key_file`, then the credential in
/// `credentials_dir`, then `api_key_env` from `env`. `Ok(None)`: no key
/// configured (fine for local servers such as Ollama).
pub fn resolve(
    p: &ProviderConfig,
    credentials_dir: Option<&Path>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<ApiKey>, KeyError> {
    if let Some(f) = &p.api_key_file {
        return read_key_file(f).map(Some);
    }
    if let Some(dir) = credentials_dir {
        let name = p
            .credential
            .clone()
            .unwrap_or_else(|| format!("aish-{}.key", p.name));
        let path = dir.join(name);
        if path.exists() {
            // systemd makes credentials readable by the service only.
            return read_key_file(&path).map(Some);
        }
    }
    if let Some(var) = &p.api_key_env
        && let Some(v) = env(var).filter(|v| !v.trim().is_empty())
    {
        return Ok(Some(ApiKey::new(v.trim())));
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ProviderKind;

    fn prov() -> ProviderConfig {
        ProviderConfig {
            name: "openai".into(),
            kind: ProviderKind::Openai,
            base_url: "https://x".into(),
            model: None,
            advanced_model: None,
            api_key_file: None,
            credential: None,
            api_key_env: Some("OPENAI_API_KEY".into()),
        }
    }

    #[test]
    fn world_readable_key_file_is_refused_with_reason() {
        let d = tempfile::tempdir().unwrap();
        let f = d.path().join("k");
        std::fs::write(&f, "sk-secret-value\n").unwrap();
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o644)).unwrap();
        let e = read_key_file(&f).unwrap_err().to_string();
        assert!(e.contains("644") && e.contains("chmod 600"), "{e}");
        assert!(!e.contains("sk-secret"), "{e}");
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(read_key_file(&f).unwrap().expose(), "sk-secret-value");
    }

    #[test]
    fn order_file_then_credential_then_env() {
        let d = tempfile::tempdir().unwrap();
        let env = |v: &str| (v == "OPENAI_API_KEY").then(|| "from-env".to_string());
        assert_eq!(
            resolve(&prov(), Some(d.path()), &env)
                .unwrap()
                .unwrap()
                .expose(),
            "from-env"
        );
        let cred = d.path().join("aish-openai.key");
        std::fs::write(&cred, "from-cred").unwrap();
        std::fs::set_permissions(&cred, std::fs::Permissions::from_mode(0o400)).unwrap();
        assert_eq!(
            resolve(&prov(), Some(d.path()), &env)
                .unwrap()
                .unwrap()
                .expose(),
            "from-cred"
        );
        let f = d.path().join("file");
        std::fs::write(&f, "from-file").unwrap();
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o600)).unwrap();
        let p = ProviderConfig {
            api_key_file: Some(f),
            ..prov()
        };
        assert_eq!(
            resolve(&p, Some(d.path()), &env).unwrap().unwrap().expose(),
            "from-file"
        );
        let none = |_: &str| None;
        assert!(resolve(&prov(), None, &none).unwrap().is_none());
    }

    #[test]
    fn debug_hides_the_key() {
        let k = ApiKey::new("sk-very-secret");
        assert_eq!(format!("{k:?}"), "ApiKey(***)");
    }
}
