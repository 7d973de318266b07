//! The IPC frame: a 4-byte big-endian payload length, then the payload. Frames larger than the
//! reader's maximum are refused before any allocation.

use std::io::{self, Read, Write};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// Default largest frame: 1 MiB.
pub const DEFAULT_MAX_FRAME: usize = 1 << 20;

#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    #[error("frame of {len} bytes exceeds the maximum of {max}")]
    TooLarge { len: usize, max: usize },
    #[error("connection closed in the middle of a frame ({got} of {want} bytes)")]
    Truncated { got: usize, want: usize },
    #[error("frame i/o failed")]
    Io(#[from] io::Error),
}

fn header(len: usize, max: usize) -> Result<[u8; 4], FrameError> {
    if len > max || len > u32::MAX as usize {
        return Err(FrameError::TooLarge { len, max });
    }
    Ok((len as u32).to_be_bytes())
}

/// Encodes one frame into a buffer.
pub fn encode(payload: &[u8], max: usize) -> Result<Vec<u8>, FrameError> {
    let mut out = Vec::with_capacity(payload.len() + 4);
    out.extend_from_slice(&header(payload.len(), max)?);
    out.extend_from_slice(payload);
    Ok(out)
}

/// Writes one frame.
pub fn write_frame<W: Write>(w: &mut W, payload: &[u8], max: usize) -> Result<(), FrameError> {
    w.write_all(&encode(payload, max)?)?;
    w.flush()?;
    Ok(())
}

fn read_exact_or_eof<R: Read>(r: &mut R, buf: &mut [u8]) -> io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match r.read(&mut buf[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}

/// Reads one frame; `Ok(None)` on a clean end of stream between frames.
pub fn read_frame<R: Read>(r: &mut R, max: usize) -> Result<Option<Vec<u8>>, FrameError> {
    let mut hdr = [0u8; 4];
    let got = read_exact_or_eof(r, &mut hdr)?;
    if got == 0 {
        return Ok(None);
    }
    if got < 4 {
        return Err(FrameError::Truncated { got, want: 4 });
    }
    let len = u32::from_be_bytes(hdr) as usize;
    if len > max {
        return Err(FrameError::TooLarge { len, max });
    }
    let mut buf = vec![0u8; len];
    let got = read_exact_or_eof(r, &mut buf)?;
    if got < len {
        return Err(FrameError::Truncated { got, want: len });
    }
    Ok(Some(buf))
}

async fn async_read_exact_or_eof<R: AsyncRead + Unpin>(
    r: &mut R,
    buf: &mut [u8],
) -> io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        let n = r.read(&mut buf[got..]).await?;
        if n == 0 {
            break;
        }
        got += n;
    }
    Ok(got)
}

/// Async [`read_frame`].
pub async fn read_frame_async<R: AsyncRead + Unpin>(
    r: &mut R,
    max: usize,
) -> Result<Option<Vec<u8>>, FrameError> {
    let mut hdr = [0u8; 4];
    let got = async_read_exact_or_eof(r, &mut hdr).await?;
    if got == 0 {
        return Ok(None);
    }
    if got < 4 {
        return Err(FrameError::Truncated { got, want: 4 });
    }
    let len = u32::from_be_bytes(hdr) as usize;
    if len > max {
        return Err(FrameError::TooLarge { len, max });
    }
    let mut buf = vec![0u8; len];
    let got = async_read_exact_or_eof(r, &mut buf).await?;
    if got < len {
        return Err(FrameError::Truncated { got, want: len });
    }
    Ok(Some(buf))
}

/// Async [`write_frame`].
pub async fn write_frame_async<W: AsyncWrite + Unpin>(
    w: &mut W,
    payload: &[u8],
    max: usize,
) -> Result<(), FrameError> {
    w.write_all(&encode(payload, max)?).await?;
    w.flush().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let mut buf = Vec::new();
        write_frame(&mut buf, b"hello", 16).unwrap();
        write_frame(&mut buf, b"", 16).unwrap();
        let mut r = &buf[..];
        assert_eq!(read_frame(&mut r, 16).unwrap().unwrap(), b"hello");
        assert_eq!(read_frame(&mut r, 16).unwrap().unwrap(), b"");
        assert!(read_frame(&mut r, 16).unwrap().is_none());
    }

    #[test]
    fn oversized_is_refused_both_ways() {
        assert!(matches!(
            encode(&[0u8; 17], 16),
            Err(FrameError::TooLarge { len: 17, max: 16 })
        ));
        let buf = 1000u32.to_be_bytes();
        assert!(matches!(
            read_frame(&mut &buf[..], 16),
            Err(FrameError::TooLarge { len: 1000, .. })
        ));
    }

    #[test]
    fn truncated_header_and_body() {
        let buf = [0u8, 0];
        assert!(matches!(
            read_frame(&mut &buf[..], 16),
            Err(FrameError::Truncated { got: 2, want: 4 })
        ));
        let mut buf = 5u32.to_be_bytes().to_vec();
        buf.extend_from_slice(b"ab");
        assert!(matches!(
            read_frame(&mut &buf[..], 16),
            Err(FrameError::Truncated { got: 2, want: 5 })
        ));
    }

    #[tokio::test]
    async fn async_round_trip_and_truncation() {
        let (mut a, mut b) = tokio::io::duplex(64);
        write_frame_async(&mut a, b"xyz", 16).await.unwrap();
        a.write_all(&9u32.to_be_bytes()).await.unwrap();
        a.write_all(b"12").await.unwrap();
        drop(a);
        assert_eq!(read_frame_async(&mut b, 16).await.unwrap().unwrap(), b"xyz");
        assert!(matches!(
            read_frame_async(&mut b, 16).await,
            Err(FrameError::Truncated { got: 2, want: 9 })
        ));
    }
}
