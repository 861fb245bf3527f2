//! Secrets at rest: AES-GCM-256 under a key derived from a passphrase with
//! PBKDF2-SHA256 (600,000 iterations, random 16-byte salt), with a random
//! 12-byte IV for every write. The key is non-extractable: script can use it
//! but never read it.

use js_sys::{Array, Object, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{CryptoKey, SubtleCrypto};

use crate::accounts::{Sealed, base64};

pub const ITERATIONS: u32 = 600_000;
const SALT_BYTES: usize = 16;
const IV_BYTES: usize = 12;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VaultError {
    /// The passphrase is wrong, or the stored data was altered.
    WrongPassphrase,
    /// WebCrypto is missing or failed (an insecure context, say).
    Unavailable(String),
}

/// A derived key and the salt it was derived with.
#[derive(Clone)]
pub struct VaultKey {
    key: CryptoKey,
    salt: Vec<u8>,
}

impl VaultError {
    pub fn message(&self) -> String {
        match self {
            VaultError::WrongPassphrase => crate::i18n::t().vault_wrong().inner().into(),
            VaultError::Unavailable(why) => crate::i18n::fill(
                crate::i18n::t().vault_unavailable().inner(),
                &[("why", why)],
            ),
        }
    }
}

// Plain messages, not `{:?}`: debug formatting costs the panel size.
fn unavailable(e: JsValue) -> VaultError {
    let why = e
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "unknown error".into());
    VaultError::Unavailable(why)
}

fn crypto() -> Result<web_sys::Crypto, VaultError> {
    web_sys::window()
        .ok_or_else(|| VaultError::Unavailable("no window".into()))?
        .crypto()
        .map_err(unavailable)
}

fn subtle() -> Result<SubtleCrypto, VaultError> {
    Ok(crypto()?.subtle())
}

fn random(n: usize) -> Result<Vec<u8>, VaultError> {
    let mut bytes = vec![0u8; n];
    crypto()?
        .get_random_values_with_u8_array(&mut bytes)
        .map_err(unavailable)?;
    Ok(bytes)
}

fn object(fields: &[(&str, JsValue)]) -> Object {
    let o = Object::new();
    for (k, v) in fields {
        let _ = Reflect::set(&o, &JsValue::from_str(k), v);
    }
    o
}

async fn resolve(p: Result<js_sys::Promise, JsValue>) -> Result<JsValue, JsValue> {
    JsFuture::from(p?).await
}

impl VaultKey {
    /// Derives the key for `passphrase`; a new random salt unless one is given.
    pub async fn derive(passphrase: &str, salt: Option<Vec<u8>>) -> Result<VaultKey, VaultError> {
        let subtle = subtle()?;
        let salt = match salt {
            Some(s) => s,
            None => random(SALT_BYTES)?,
        };
        let usages = Array::of1(&JsValue::from_str("deriveKey"));
        let material = Uint8Array::from(passphrase.as_bytes());
        let base: CryptoKey =
            resolve(subtle.import_key_with_str("raw", &material, "PBKDF2", false, &usages))
                .await
                .map_err(unavailable)?
                .unchecked_into();
        let params = object(&[
            ("name", "PBKDF2".into()),
            ("salt", Uint8Array::from(salt.as_slice()).into()),
            ("iterations", ITERATIONS.into()),
            ("hash", "SHA-256".into()),
        ]);
        let target = object(&[("name", "AES-GCM".into()), ("length", 256.into())]);
        let usages = Array::of2(&"encrypt".into(), &"decrypt".into());
        let key: CryptoKey = resolve(
            subtle.derive_key_with_object_and_object(&params, &base, &target, false, &usages),
        )
        .await
        .map_err(unavailable)?
        .unchecked_into();
        Ok(VaultKey { key, salt })
    }

    /// Encrypts `plaintext` with a fresh IV.
    pub async fn seal(&self, plaintext: &[u8]) -> Result<Sealed, VaultError> {
        let iv = random(IV_BYTES)?;
        let params = object(&[
            ("name", "AES-GCM".into()),
            ("iv", Uint8Array::from(iv.as_slice()).into()),
        ]);
        let out =
            resolve(subtle()?.encrypt_with_object_and_u8_array(&params, &self.key, plaintext))
                .await
                .map_err(unavailable)?;
        Ok(Sealed {
            salt: base64::encode(&self.salt),
            iv: base64::encode(&iv),
            data: base64::encode(&Uint8Array::new(&out).to_vec()),
        })
    }

    /// Decrypts what `seal` wrote; a wrong key or altered data fails
    /// AES-GCM's check.
    pub async fn open(&self, sealed: &Sealed) -> Result<Vec<u8>, VaultError> {
        let iv = base64::decode(&sealed.iv).ok_or(VaultError::WrongPassphrase)?;
        let data = base64::decode(&sealed.data).ok_or(VaultError::WrongPassphrase)?;
        let params = object(&[
            ("name", "AES-GCM".into()),
            ("iv", Uint8Array::from(iv.as_slice()).into()),
        ]);
        let out = resolve(subtle()?.decrypt_with_object_and_u8_array(&params, &self.key, &data))
            .await
            .map_err(|_| VaultError::WrongPassphrase)?;
        Ok(Uint8Array::new(&out).to_vec())
    }
}

/// Opens `sealed` with `passphrase`: the key (to write again later) and the
/// plaintext.
pub async fn unlock(passphrase: &str, sealed: &Sealed) -> Result<(VaultKey, Vec<u8>), VaultError> {
    let salt = base64::decode(&sealed.salt).ok_or(VaultError::WrongPassphrase)?;
    let key = VaultKey::derive(passphrase, Some(salt)).await?;
    let plain = key.open(sealed).await?;
    Ok((key, plain))
}
