//! Blobs: uploaded pictures (`media/<sha256>`), generated packages
//! (`packages/<site>/<sha256>.zip`) and later QR images, by key. The embedded default keeps
//! them in sled beside the records (pictures in the `media` tree, as always); past one machine
//! they go to a folder (`file://DIR`) or any S3-compatible store (`s3://BUCKET?endpoint=…`),
//! through `object_store`. Keys are content addresses, so nodes never need to coordinate.
use super::StoreError;
use futures::TryStreamExt;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use std::sync::Arc;

#[derive(Clone)]
pub enum Blobs {
    /// In the sled database: `media/…` in the `media` tree (keyed by hash), the rest in `blobs`.
    Sled {
        media: sled::Tree,
        other: sled::Tree,
    },
    Object {
        store: Arc<dyn ObjectStore>,
        describe: String,
    },
}

const MEDIA_PREFIX: &str = "media/";

impl Blobs {
    /// The blob store a `--blobs` value names: `file://DIR`, or
    /// `s3://BUCKET?endpoint=URL&region=R` (credentials from `AWS_ACCESS_KEY_ID` and
    /// `AWS_SECRET_ACCESS_KEY`; path-style requests, so local stores work).
    pub fn open(spec: &str) -> Result<Blobs, StoreError> {
        let bad = |why: &str| {
            StoreError::Config(format!(
                "`--blobs {spec}`: {why} (use file://DIR or s3://BUCKET?endpoint=URL&region=R)"
            ))
        };
        if let Some(dir) = spec.strip_prefix("file://") {
            if dir.is_empty() {
                return Err(bad("no folder given"));
            }
            std::fs::create_dir_all(dir)?;
            let local = object_store::local::LocalFileSystem::new_with_prefix(dir)?
                .with_automatic_cleanup(true);
            return Ok(Blobs::Object {
                store: Arc::new(local),
                describe: format!("folder {dir}"),
            });
        }
        if spec.starts_with("s3://") {
            install_crypto_provider();
            let url = url::Url::parse(spec).map_err(|e| bad(&e.to_string()))?;
            let bucket = url
                .host_str()
                .filter(|b| !b.is_empty())
                .ok_or_else(|| bad("no bucket given"))?
                .to_string();
            let mut builder = object_store::aws::AmazonS3Builder::from_env()
                .with_bucket_name(&bucket)
                .with_virtual_hosted_style_request(false);
            let mut endpoint = None;
            for (k, v) in url.query_pairs() {
                match k.as_ref() {
                    "endpoint" => endpoint = Some(v.to_string()),
                    "region" => builder = builder.with_region(v.to_string()),
                    other => return Err(bad(&format!("unknown setting `{other}`"))),
                }
            }
            if let Some(e) = &endpoint {
                builder = builder
                    .with_endpoint(e)
                    .with_allow_http(e.starts_with("http://"));
            }
            let store = builder.build().map_err(|e| bad(&e.to_string()))?;
            return Ok(Blobs::Object {
                store: Arc::new(store),
                describe: match endpoint {
                    Some(e) => format!("s3 bucket {bucket} at {e}"),
                    None => format!("s3 bucket {bucket}"),
                },
            });
        }
        Err(bad("not a blob store"))
    }

    /// Blobs kept in the embedded database.
    pub fn in_sled(store: &super::embedded::SledStore) -> Result<Blobs, StoreError> {
        Ok(Blobs::Sled {
            media: store.media_tree()?,
            other: store.blob_tree()?,
        })
    }

    pub fn describe(&self) -> String {
        match self {
            Blobs::Sled { .. } => "in the sled database".into(),
            Blobs::Object { describe, .. } => describe.clone(),
        }
    }

    fn sled_tree<'a>(
        media: &'a sled::Tree,
        other: &'a sled::Tree,
        key: &'a str,
    ) -> (&'a sled::Tree, &'a str) {
        match key.strip_prefix(MEDIA_PREFIX) {
            Some(hash) => (media, hash),
            None => (other, key),
        }
    }

    pub async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<(), StoreError> {
        match self {
            Blobs::Sled { media, other } => {
                let (tree, k) = Blobs::sled_tree(media, other, key);
                tree.insert(k.as_bytes(), bytes)?;
            }
            Blobs::Object { store, .. } => {
                store.put(&Path::from(key), PutPayload::from(bytes)).await?;
            }
        }
        Ok(())
    }

    pub async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        match self {
            Blobs::Sled { media, other } => {
                let (tree, k) = Blobs::sled_tree(media, other, key);
                Ok(tree.get(k.as_bytes())?.map(|v| v.to_vec()))
            }
            Blobs::Object { store, .. } => match store.get(&Path::from(key)).await {
                Ok(got) => Ok(Some(got.bytes().await?.to_vec())),
                Err(object_store::Error::NotFound { .. }) => Ok(None),
                Err(e) => Err(e.into()),
            },
        }
    }

    pub async fn exists(&self, key: &str) -> Result<bool, StoreError> {
        match self {
            Blobs::Sled { media, other } => {
                let (tree, k) = Blobs::sled_tree(media, other, key);
                Ok(tree.contains_key(k.as_bytes())?)
            }
            Blobs::Object { store, .. } => match store.head(&Path::from(key)).await {
                Ok(_) => Ok(true),
                Err(object_store::Error::NotFound { .. }) => Ok(false),
                Err(e) => Err(e.into()),
            },
        }
    }

    pub async fn delete(&self, key: &str) -> Result<(), StoreError> {
        match self {
            Blobs::Sled { media, other } => {
                let (tree, k) = Blobs::sled_tree(media, other, key);
                tree.remove(k.as_bytes())?;
            }
            Blobs::Object { store, .. } => match store.delete(&Path::from(key)).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
                Err(e) => return Err(e.into()),
            },
        }
        Ok(())
    }

    /// Every key, sorted.
    pub async fn keys(&self) -> Result<Vec<String>, StoreError> {
        let mut keys = Vec::new();
        match self {
            Blobs::Sled { media, other } => {
                for k in media.iter().keys() {
                    keys.push(format!("{MEDIA_PREFIX}{}", String::from_utf8_lossy(&k?)));
                }
                for k in other.iter().keys() {
                    keys.push(String::from_utf8_lossy(&k?).into_owned());
                }
            }
            Blobs::Object { store, .. } => {
                let mut list = store.list(None);
                while let Some(meta) = list.try_next().await? {
                    keys.push(meta.location.to_string());
                }
            }
        }
        keys.sort();
        Ok(keys)
    }

    /// Whether the store answers: a listing of an empty prefix.
    pub async fn health(&self) -> Result<(), StoreError> {
        match self {
            Blobs::Sled { media, .. } => {
                media.first()?;
            }
            Blobs::Object { store, .. } => {
                store
                    .list_with_delimiter(Some(&Path::from("health")))
                    .await?;
            }
        }
        Ok(())
    }
}

/// The key of an uploaded picture.
pub fn media_key(hash: &str) -> String {
    format!("{MEDIA_PREFIX}{hash}")
}

/// HTTP clients (S3, WeChat) speak TLS through rustls with ring (no C toolchain needed).
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}
