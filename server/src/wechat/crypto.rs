//! WeChat's message encryption for a third-party platform's pushes (the WXBizMsgCrypt scheme
//! every SDK implements; `../shared/WECHAT-PLATFORM.md` §2.1, test vectors §2.2).
//!
//! - key: base64 of the 43-character EncodingAESKey plus `=`, exactly 32 bytes; the IV is its
//!   first 16 bytes;
//! - frame: 16 random bytes, the message length (u32, big-endian), the message, the receive id
//!   (the component appid);
//! - PKCS#7 padding to a 32-byte block (1 to 32 bytes, never 0), AES-256-CBC, base64;
//! - `msg_signature`: hex SHA-1 of token, timestamp, nonce and the ciphertext, sorted and joined.
use aes::cipher::{block_padding::NoPadding, BlockDecryptMut, BlockEncryptMut, KeyIvInit};
use base64::Engine;
use sha1::{Digest, Sha1};
use subtle::ConstantTimeEq;

/// Why a push was refused (each is a 4xx; none changes anything).
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum CryptError {
    #[error("the EncodingAESKey must be 43 characters of base64 making 32 bytes")]
    BadKey,
    #[error("the message signature does not match")]
    BadSignature,
    #[error("the encrypted message is not base64 of whole AES blocks")]
    BadCiphertext,
    #[error("the decrypted message has no valid padding")]
    BadPadding,
    #[error("the decrypted message is not a well-formed frame")]
    BadFrame,
    #[error("the message is for another platform")]
    WrongReceiver,
}

/// One platform's push crypto: its message token, key and appid.
#[derive(Clone)]
pub struct MsgCrypt {
    token: String,
    key: [u8; 32],
    receive_id: String,
}

type Encryptor = cbc::Encryptor<aes::Aes256>;
type Decryptor = cbc::Decryptor<aes::Aes256>;

const BLOCK: usize = 32;

impl MsgCrypt {
    pub fn new(token: &str, encoding_aes_key: &str, receive_id: &str) -> Result<Self, CryptError> {
        if encoding_aes_key.len() != 43 {
            return Err(CryptError::BadKey);
        }
        // Keys in the wild leave the last character's spare bits set: read them as WeChat
        // does, not as a strict decoder would.
        let lenient = base64::engine::GeneralPurpose::new(
            &base64::alphabet::STANDARD,
            base64::engine::GeneralPurposeConfig::new().with_decode_allow_trailing_bits(true),
        );
        let key = lenient
            .decode(format!("{encoding_aes_key}="))
            .map_err(|_| CryptError::BadKey)?
            .try_into()
            .map_err(|_| CryptError::BadKey)?;
        Ok(MsgCrypt {
            token: token.into(),
            key,
            receive_id: receive_id.into(),
        })
    }

    /// The signature of `parts`: hex SHA-1 of them sorted and joined (with the token, the
    /// plain `signature` query parameter; with the ciphertext too, `msg_signature`).
    pub fn sign(parts: &[&str]) -> String {
        let mut sorted = parts.to_vec();
        sorted.sort_unstable();
        hex::encode(Sha1::digest(sorted.concat().as_bytes()))
    }

    /// The `msg_signature` of `encrypted` sent at `timestamp` with `nonce`.
    pub fn msg_signature(&self, timestamp: &str, nonce: &str, encrypted: &str) -> String {
        MsgCrypt::sign(&[&self.token, timestamp, nonce, encrypted])
    }

    /// Checks `msg_signature` (in constant time), then decrypts `encrypted` and checks it is
    /// addressed to this platform; the message as sent.
    pub fn decrypt(
        &self,
        msg_signature: &str,
        timestamp: &str,
        nonce: &str,
        encrypted: &str,
    ) -> Result<String, CryptError> {
        let expected = self.msg_signature(timestamp, nonce, encrypted);
        if !bool::from(expected.as_bytes().ct_eq(msg_signature.as_bytes())) {
            return Err(CryptError::BadSignature);
        }
        let mut data = base64::engine::general_purpose::STANDARD
            .decode(encrypted)
            .map_err(|_| CryptError::BadCiphertext)?;
        if data.is_empty() || data.len() % 16 != 0 {
            return Err(CryptError::BadCiphertext);
        }
        let plain = Decryptor::new(&self.key.into(), self.key[..16].into())
            .decrypt_padded_mut::<NoPadding>(&mut data)
            .map_err(|_| CryptError::BadCiphertext)?;
        let pad = *plain.last().ok_or(CryptError::BadPadding)? as usize;
        if !(1..=BLOCK).contains(&pad) || pad > plain.len() {
            return Err(CryptError::BadPadding);
        }
        let frame = &plain[..plain.len() - pad];
        let len_bytes: [u8; 4] = frame
            .get(16..20)
            .ok_or(CryptError::BadFrame)?
            .try_into()
            .map_err(|_| CryptError::BadFrame)?;
        let len = u32::from_be_bytes(len_bytes) as usize;
        let msg = frame.get(20..20 + len).ok_or(CryptError::BadFrame)?;
        let receiver = &frame[20 + len..];
        if !bool::from(receiver.ct_eq(self.receive_id.as_bytes())) {
            return Err(CryptError::WrongReceiver);
        }
        String::from_utf8(msg.to_vec()).map_err(|_| CryptError::BadFrame)
    }

    /// Encrypts `msg` with the 16 bytes `random` in front (as WeChat does; a fake server and
    /// replies use it).
    pub fn encrypt(&self, random: [u8; 16], msg: &str) -> String {
        let mut frame = random.to_vec();
        frame.extend_from_slice(&(msg.len() as u32).to_be_bytes());
        frame.extend_from_slice(msg.as_bytes());
        frame.extend_from_slice(self.receive_id.as_bytes());
        let pad = BLOCK - frame.len() % BLOCK;
        frame.extend(std::iter::repeat_n(pad as u8, pad));
        let len = frame.len();
        let cipher = Encryptor::new(&self.key.into(), self.key[..16].into())
            .encrypt_padded_mut::<NoPadding>(&mut frame, len)
            .expect("whole blocks");
        base64::engine::general_purpose::STANDARD.encode(cipher)
    }
}

/// A push as WeChat sends it: the query string (`timestamp`, `nonce`, `encrypt_type`,
/// `signature`, `msg_signature`) and the XML body carrying the encrypted `msg`.
pub fn push_request(crypt: &MsgCrypt, timestamp: i64, nonce: &str, msg: &str) -> (String, String) {
    let mut random = [0u8; 16];
    rand::RngCore::fill_bytes(&mut rand::thread_rng(), &mut random);
    let encrypted = crypt.encrypt(random, msg);
    let ts = timestamp.to_string();
    let query = serde_urlencoded::to_string([
        ("signature", MsgCrypt::sign(&[&crypt.token, &ts, nonce])),
        ("timestamp", ts.clone()),
        ("nonce", nonce.to_string()),
        ("encrypt_type", "aes".into()),
        ("msg_signature", crypt.msg_signature(&ts, nonce, &encrypted)),
    ])
    .expect("plain strings encode");
    let body = format!(
        "<xml><ToUserName><![CDATA[{}]]></ToUserName><Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>",
        crypt.receive_id
    );
    (query, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Vector A (WxJava's WxCryptUtilTest), `../shared/WECHAT-PLATFORM.md` §2.2.
    const KEY_A: &str = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
    const ENCRYPTED_A: &str =
        "jn1L23DB+6ELqJ+6bruv21Y6MD7KeIfP82D6gU39rmkgczbWwt5+3bnyg5K55bgVtVzd832WzZGMhkP72vVOfg==";

    fn platform_a() -> MsgCrypt {
        MsgCrypt::new("pamtest", KEY_A, "wxb11529c136998cb6").unwrap()
    }

    #[test]
    fn encryption_matches_the_published_vector_byte_for_byte() {
        let random = *b"aaaabbbbccccdddd";
        assert_eq!(platform_a().encrypt(random, "我是中文abcd123"), ENCRYPTED_A);
    }

    #[test]
    fn a_signed_push_decrypts_and_anything_else_is_refused() {
        let a = platform_a();
        let sig = a.msg_signature("1409304348", "xxxxxx", ENCRYPTED_A);
        assert_eq!(sig, "82c962d39941aa48552f90ef55aa323dc620cc10");
        assert_eq!(
            a.decrypt(&sig, "1409304348", "xxxxxx", ENCRYPTED_A),
            Ok("我是中文abcd123".to_string())
        );
        // A bad signature, a changed timestamp, another platform, a damaged message.
        let bad = sig.replace('8', "9");
        assert_eq!(
            a.decrypt(&bad, "1409304348", "xxxxxx", ENCRYPTED_A),
            Err(CryptError::BadSignature)
        );
        assert_eq!(
            a.decrypt(&sig, "1409304349", "xxxxxx", ENCRYPTED_A),
            Err(CryptError::BadSignature)
        );
        let other = MsgCrypt::new("pamtest", KEY_A, "wx0000000000000000").unwrap();
        assert_eq!(
            other.decrypt(&sig, "1409304348", "xxxxxx", ENCRYPTED_A),
            Err(CryptError::WrongReceiver)
        );
        let cut = &ENCRYPTED_A[..ENCRYPTED_A.len() - 4];
        let sig_cut = a.msg_signature("1", "n", cut);
        assert_eq!(
            a.decrypt(&sig_cut, "1", "n", cut),
            Err(CryptError::BadCiphertext)
        );
    }

    #[test]
    fn padding_outside_one_to_thirty_two_is_refused() {
        let a = platform_a();
        // A block of zeros decrypts to a last byte that is no valid pad (here: re-encrypt a
        // frame whose pad byte is 0).
        let mut frame = vec![0u8; 64];
        let len = frame.len();
        let cipher = Encryptor::new(&a.key.into(), a.key[..16].into())
            .encrypt_padded_mut::<NoPadding>(&mut frame, len)
            .unwrap()
            .to_vec();
        let encrypted = base64::engine::general_purpose::STANDARD.encode(cipher);
        let sig = a.msg_signature("1", "n", &encrypted);
        assert_eq!(
            a.decrypt(&sig, "1", "n", &encrypted),
            Err(CryptError::BadPadding)
        );
    }

    #[test]
    fn the_plain_signature_and_keys_are_checked() {
        // D6's example of the plain `signature` query parameter.
        assert_eq!(
            MsgCrypt::sign(&["AAAAA", "1714036504", "1514711492"]),
            "f464b24fc39322e44b38aa78f5edd27bd1441696"
        );
        assert!(MsgCrypt::new("t", "short", "wx").is_err());
        assert!(MsgCrypt::new("t", &"!".repeat(43), "wx").is_err());
        // 43 × `A` is the all-zero key.
        assert_eq!(
            MsgCrypt::new("t", &"A".repeat(43), "wx").unwrap().key,
            [0; 32]
        );
    }

    #[test]
    fn any_message_survives_a_round_trip() {
        let a = platform_a();
        for msg in [
            "",
            "x",
            &"长".repeat(40),
            "<xml><InfoType>authorized</InfoType></xml>",
        ] {
            let enc = a.encrypt(*b"0123456789abcdef", msg);
            let sig = a.msg_signature("7", "n", &enc);
            assert_eq!(a.decrypt(&sig, "7", "n", &enc).as_deref(), Ok(msg));
        }
    }
    /// Vectors C and D (wechatpy `tests/test_crypto.py`, WECHAT-PLATFORM §2.2): another key
    /// and receiver, a decrypt with its signature, and an encrypt byte for byte.
    #[test]
    fn the_wechatpy_vectors_decrypt_and_encrypt_exactly() {
        let c = MsgCrypt::new(
            "123456",
            "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR",
            "wx49f0ab532d5d035a",
        )
        .unwrap();
        let encrypted = "RgqEoJj5A4EMYlLvWO1F86ioRjZfaex/gePD0gOXTxpsq5Yj4GNglrBb8I2BAJVODGajiFnXBu7mCPatfjsu6IHCrsTyeDXzF6Bv283dGymzxh6ydJRvZsryDyZbLTE7rhnus50qGPMfp2wASFlzEgMW9z1ef/RD8XzaFYgm7iTdaXpXaG4+BiYyolBug/gYNx410cvkKR2/nPwBiT+P4hIiOAQqGp/TywZBtDh1yCF2KOd0gpiMZ5jSw3e29mTvmUHzkVQiMS6td7vXUaWOMZnYZlF3So2SjHnwh4jYFxdgpkHHqIrH/54SNdshoQgWYEvccTKe7FS709/5t6NMxuGhcUGAPOQipvWTT4dShyqio7mlsl5noTrb++x6En749zCpQVhDpbV6GDnTbcX2e8K9QaNWHp91eBdCRxthuL0=";
        let msg = c
            .decrypt(
                "74d92dfeb87ba7c714f89d98870ae5eb62dff26d",
                "1411525903",
                "461056294",
                encrypted,
            )
            .unwrap();
        assert!(msg.contains("<Content><![CDATA[test]]></Content>"), "{msg}");
        assert!(msg.contains("messense"), "{msg}");
        // One changed digit of the nonce, and the signature no longer holds.
        assert_eq!(
            c.decrypt(
                "74d92dfeb87ba7c714f89d98870ae5eb62dff26d",
                "1411525903",
                "461056295",
                encrypted
            ),
            Err(CryptError::BadSignature)
        );
        let reply = "<xml>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[test]]></Content>\n<FromUserName><![CDATA[wx49f0ab532d5d035a]]></FromUserName>\n<ToUserName><![CDATA[messense]]></ToUserName>\n<AgentID>1</AgentID>\n<CreateTime>1411525903</CreateTime>\n</xml>";
        let out = c.encrypt(*b"1234567890123456", reply);
        assert_eq!(out, "9s4gMv99m88kKTh/H8IdkOiMg6bisoy3ypwy9H4hvSPe9nsGaqyw5hhSjdYbcrKk+j3nba4HMOTzHrluLBYqxgNcBqGsL8GqxlhZgURnAtObvesEl5nZ+uBE8bviY0LWke8Zy9V/QYKxNV2FqllNXcfmstttyIkMKCCmVbCFM2JTF5wY0nFhHZSjPUL2Q1qvSUCUld+/WIXrx0oyKQmpB6o8NRrrNrsDf03oxI1p9FxUgMnwKKZeOA/uu+2IEvEBtb7muXsVbwbgX05UPPJvFurDXafG0RQyPR+mf1nDnAtQmmNOuiR5MIkdQ39xn1vWwi1O5oazPoQJz0nTYjxxEE8kv3kFxtAGVRe3ypD3WeK2XeFYFMNMpatF9XiKzHo3");
        assert_eq!(
            c.msg_signature("1411525903", "461056294", &out),
            "407518b7649e86ef23978113f92d27afa9296533"
        );
    }
}
