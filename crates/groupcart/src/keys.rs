//! The keys that seal personal fields at rest (`[encryption]`), and the `groupcart keys`
//! commands.
//!
//! Keys are `id:base64` (32 random bytes), the first one sealing new values, the others
//! only opening older ones. They come from `encryption.keys` (comma-separated, e.g. from
//! `GROUPCART_ENCRYPTION__KEYS`) or from a key file (one key per line, `#` comments). With
//! neither, SQLite uses the file `<database file>.keys` beside the database, created with a
//! new key on first start (mode 0600): `groupcart serve` needs no setup, and a copy of the
//! database alone (a backup) does not open. PostgreSQL, which several instances share,
//! needs the keys configured: an instance never invents a key of its own.
//!
//! Rotation: put a new key first (`groupcart keys add` does it in a key file), keep the old
//! one after it, restart every instance, then run `groupcart keys rotate`, which re-seals
//! every value in batches and says when the old key can go.

use crate::config::{Config, DatabaseConfig, DatabaseKind, EncryptionConfig};
use anyhow::{bail, Context, Result};
use groupcart_core::sealing::{DataKey, Sealer};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The key ring `encryption` describes for `database`, creating the SQLite key file if it
/// is needed and missing.
pub fn sealer(database: &DatabaseConfig, encryption: &EncryptionConfig) -> Result<Arc<Sealer>> {
    let keys = if !encryption.keys.is_empty() {
        parse_keys(encryption.keys.expose()).context("encryption.keys")?
    } else {
        let path = key_file(database, encryption)?;
        if !path.exists() {
            create_key_file(&path)?;
            tracing::warn!(
                path = %path.display(),
                "created a new encryption key file; back it up apart from the database: \
                 without it the sealed data cannot be read"
            );
        }
        read_key_file(&path)?
    };
    let active = keys[0].id().to_owned();
    Ok(Arc::new(Sealer::new(&keys, &active)?))
}

/// The key file in use: `encryption.key_file`, or `<database file>.keys` for SQLite.
pub fn key_file(database: &DatabaseConfig, encryption: &EncryptionConfig) -> Result<PathBuf> {
    if let Some(path) = &encryption.key_file {
        return Ok(path.clone());
    }
    match database.kind().map_err(anyhow::Error::msg)? {
        DatabaseKind::Sqlite => {
            let mut path = sqlite_file(&database.url).into_os_string();
            path.push(".keys");
            Ok(PathBuf::from(path))
        }
        DatabaseKind::Postgres => bail!(
            "encryption.keys (or encryption.key_file) is required with PostgreSQL, so that \
             every instance seals with the same keys; `groupcart keys generate` prints a new \
             key to put there"
        ),
    }
}

/// The database file a `sqlite:` URL names.
fn sqlite_file(url: &str) -> PathBuf {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url);
    PathBuf::from(rest.split('?').next().unwrap_or(rest))
}

/// Keys from `id:base64` items separated by commas or line breaks; `#` starts a comment.
pub fn parse_keys(text: &str) -> Result<Vec<DataKey>> {
    let mut keys = Vec::new();
    for item in text
        .lines()
        .map(|line| line.split('#').next().unwrap_or(""))
        .flat_map(|line| line.split(','))
        .map(str::trim)
        .filter(|item| !item.is_empty())
    {
        let Some((id, key)) = item.split_once(':') else {
            bail!("a key must be written `id:base64`");
        };
        keys.push(DataKey::parse(id.trim(), key.trim())?);
    }
    if keys.is_empty() {
        bail!("no key is given");
    }
    Ok(keys)
}

fn read_key_file(path: &Path) -> Result<Vec<DataKey>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the key file {}", path.display()))?;
    parse_keys(&text).with_context(|| format!("key file {}", path.display()))
}

/// A new key, its id the date (`k20261205`), made unique among `taken`.
fn new_key(taken: &[DataKey]) -> Result<DataKey> {
    let date = chrono::Utc::now().format("k%Y%m%d").to_string();
    let mut id = date.clone();
    let mut n = 1;
    while taken.iter().any(|k| k.id() == id) {
        n += 1;
        id = format!("{date}-{n}");
    }
    Ok(DataKey::generate(&id)?)
}

const KEY_FILE_HEADER: &str =
    "# groupcart encryption keys: `id:base64`, one per line. The first seals new\n\
# values; the others only open older ones until `groupcart keys rotate` is done.\n\
# Keep a copy apart from the database: without these keys its personal data is lost.\n";

fn write_key_file(path: &Path, keys: &[DataKey]) -> Result<()> {
    let mut text = KEY_FILE_HEADER.to_owned();
    for key in keys {
        text.push_str(&format!("{}:{}\n", key.id(), key.to_base64()));
    }
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    // Written beside, then renamed over: a crash leaves the old file or the new one whole.
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(".new");
    let temporary = PathBuf::from(temporary);
    write_private(&temporary, &text)?;
    std::fs::rename(&temporary, path)
        .with_context(|| format!("cannot replace the key file {}", path.display()))
}

#[cfg(unix)]
fn write_private(path: &Path, text: &str) -> Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("cannot write the key file {}", path.display()))?;
    file.write_all(text.as_bytes())?;
    file.sync_all()?;
    Ok(())
}

#[cfg(not(unix))]
fn write_private(path: &Path, text: &str) -> Result<()> {
    std::fs::write(path, text)
        .with_context(|| format!("cannot write the key file {}", path.display()))
}

fn create_key_file(path: &Path) -> Result<()> {
    write_key_file(path, &[new_key(&[])?])
}

/// `groupcart keys generate`: a new key, printed, for `encryption.keys`.
pub fn generate() -> Result<String> {
    let key = new_key(&[])?;
    Ok(format!("{}:{}", key.id(), key.to_base64()))
}

/// `groupcart keys add`: puts a new key first in the key file (the old ones stay after it).
/// Returns the new key's id. Refused when the keys come from `encryption.keys`.
pub fn add(config: &Config) -> Result<String> {
    if !config.encryption.keys.is_empty() {
        bail!(
            "the keys come from encryption.keys: put a new key (`groupcart keys generate`) \
             first there instead"
        );
    }
    let path = key_file(&config.database, &config.encryption)?;
    let mut keys = if path.exists() {
        read_key_file(&path)?
    } else {
        Vec::new()
    };
    let key = new_key(&keys)?;
    let id = key.id().to_owned();
    keys.insert(0, key);
    write_key_file(&path, &keys)?;
    Ok(id)
}

/// `groupcart keys rotate`: re-seals every value with the active key, printing progress,
/// and says which old keys are no longer needed.
pub async fn rotate(config: &Config, batch: i64) -> Result<()> {
    let store = crate::storage::open(config).await?;
    let sealer = sealer(&config.database, &config.encryption)?;
    println!("re-sealing with key {:?}", sealer.active_key());
    let rotation = groupcart_core::sealing::rotate(store.as_ref(), batch, |field, done| {
        println!("  {}: {done}", field.name());
    })
    .await?;
    let total: i64 = rotation.resealed.iter().map(|(_, n)| n).sum();
    println!("done: {total} values re-sealed");
    if rotation.retired.is_empty() {
        println!("no other key was in use");
    }
    for id in &rotation.retired {
        println!("key {id:?} is no longer used: remove it from the keys once every instance runs without needing it");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn database(url: &str) -> DatabaseConfig {
        DatabaseConfig {
            url: url.into(),
            ..DatabaseConfig::default()
        }
    }

    #[test]
    fn sqlite_keys_live_beside_the_database_and_are_made_once() {
        let dir = std::env::temp_dir().join(format!("gc_keys_{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let db = database(&format!("sqlite://{}/shop.db?mode=rwc", dir.display()));
        let config = EncryptionConfig::default();
        let path = key_file(&db, &config).unwrap();
        assert_eq!(path, dir.join("shop.db.keys"));
        let first = sealer(&db, &config).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let again = sealer(&db, &config).unwrap();
        assert_eq!(first.active_key(), again.active_key());
        let sealed = first.seal(groupcart_core::sealing::Field::OrderNote, "hello");
        assert_eq!(
            again
                .open(groupcart_core::sealing::Field::OrderNote, &sealed)
                .unwrap(),
            "hello"
        );

        let whole = Config {
            database: db.clone(),
            ..Config::default()
        };
        let added = add(&whole).unwrap();
        let rotated = sealer(&db, &config).unwrap();
        assert_eq!(rotated.active_key(), added);
        assert_eq!(rotated.key_ids().len(), 2);
        assert_eq!(
            rotated
                .open(groupcart_core::sealing::Field::OrderNote, &sealed)
                .unwrap(),
            "hello"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn postgres_needs_configured_keys() {
        let db = database("postgres://127.0.0.1/groupcart");
        let err = sealer(&db, &EncryptionConfig::default()).unwrap_err();
        assert!(err.to_string().contains("encryption.keys"), "{err:#}");
        let key = generate().unwrap();
        let config = EncryptionConfig {
            keys: crate::config::Secret::new(key.clone()),
            key_file: None,
        };
        let ring = sealer(&db, &config).unwrap();
        assert_eq!(ring.active_key(), key.split(':').next().unwrap());
    }

    #[test]
    fn keys_parse_as_a_list_and_bad_ones_are_named() {
        let a = generate().unwrap();
        let b = DataKey::generate("old").unwrap();
        let text = format!("{a}, old:{} # the one before", b.to_base64());
        let keys = parse_keys(&text).unwrap();
        assert_eq!(keys.len(), 2);
        assert_eq!(keys[1].id(), "old");
        assert!(parse_keys("").is_err());
        assert!(parse_keys("nocolon").is_err());
        // Five bytes ("short"), and text that is not base64: the message names the key, never
        // what was given.
        let err = format!("{:#}", parse_keys("k1:c2hvcnQ=").unwrap_err());
        assert!(err.contains("32 bytes") && err.contains("k1"), "{err}");
        assert!(!err.contains("c2hvcnQ"), "{err}");
        let err = format!("{:#}", parse_keys("k1:not*base64").unwrap_err());
        assert!(
            err.contains("not base64") && !err.contains("not*base64"),
            "{err}"
        );
    }
}
