//! [`EventLog`] as compact bytes: for pickling, caches and queues.
//!
//! Little-endian: the magic `CEMLOG1\0`; the counts of customers, touchpoints and events and a
//! flags byte (bit 0: values, bit 1: channels); with channels, the count of channel labels;
//! the labels (customers, touchpoints, channels; a `u32` byte length and UTF-8 each); then the
//! columns as they are held (touchpoint `u32`, time `i64`, value `f64` if present, channel
//! `u32` if present, offsets `u64`, input row `u32`). About 16 bytes per event plus the
//! labels. Logs without channels write the same bytes as before channels existed. Reading validates everything the methods rely
//! on, so truncated, damaged or hostile bytes give an error, never a broken log.

use crate::error::{Error, Result};
use crate::journey::EventLog;

const MAGIC: &[u8; 8] = b"CEMLOG1\0";

impl EventLog {
    /// The log as compact bytes (see the module docs); [`from_bytes`](EventLog::from_bytes)
    /// reads them back.
    ///
    /// ```
    /// use cem_core::journey::EventLog;
    /// let log = EventLog::from_rows(&[("ann", "home", 10), ("ann", "cart", 20), ("bob", "home", 5)])?;
    /// let bytes = log.to_bytes();
    /// assert_eq!(EventLog::from_bytes(&bytes)?, log);
    /// assert!(EventLog::from_bytes(&bytes[..bytes.len() - 1]).is_err());
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn to_bytes(&self) -> Vec<u8> {
        let all_labels = || {
            (self.customers.iter())
                .chain(&self.touchpoints)
                .chain(&self.channels)
        };
        let labels: usize = all_labels().map(|l| l.len() + 4).sum();
        let mut out = Vec::with_capacity(48 + labels + self.column_bytes());
        out.extend_from_slice(MAGIC);
        for k in [self.customers.len(), self.touchpoints.len(), self.len()] {
            out.extend_from_slice(&(k as u64).to_le_bytes());
        }
        out.push(u8::from(self.value.is_some()) | (u8::from(self.channel.is_some()) << 1));
        if self.channel.is_some() {
            out.extend_from_slice(&(self.channels.len() as u64).to_le_bytes());
        }
        for label in all_labels() {
            out.extend_from_slice(&u32::try_from(label.len()).unwrap_or(u32::MAX).to_le_bytes());
            out.extend_from_slice(label.as_bytes());
        }
        self.touchpoint
            .iter()
            .for_each(|x| out.extend_from_slice(&x.to_le_bytes()));
        self.time
            .iter()
            .for_each(|x| out.extend_from_slice(&x.to_le_bytes()));
        (self.value.iter().flatten()).for_each(|x| out.extend_from_slice(&x.to_le_bytes()));
        (self.channel.iter().flatten()).for_each(|x| out.extend_from_slice(&x.to_le_bytes()));
        (self.offsets.iter()).for_each(|&x| out.extend_from_slice(&(x as u64).to_le_bytes()));
        self.rows
            .iter()
            .for_each(|x| out.extend_from_slice(&x.to_le_bytes()));
        out
    }

    /// Reads a log written by [`to_bytes`](EventLog::to_bytes).
    ///
    /// # Errors
    /// [`Error::Json`] (the kind for malformed serialized state) naming what is wrong: not a
    /// log, truncated, trailing bytes, labels that are not UTF-8, or columns that break the
    /// log's invariants.
    pub fn from_bytes(bytes: &[u8]) -> Result<EventLog> {
        let mut r = Reader { bytes, pos: 0 };
        if r.take(MAGIC.len())? != MAGIC {
            return Err(Error::Json("not an event log (bad magic bytes)".into()));
        }
        let customers = r.count()?;
        let touchpoints = r.count()?;
        let n = r.count()?;
        let (has_values, has_channels) = match r.take(1)? {
            &[f] if f <= 3 => (f & 1 == 1, f & 2 == 2),
            _ => return Err(Error::Json("invalid event log: bad flags byte".into())),
        };
        let channels = if has_channels { r.count()? } else { 0 };
        let mut labels = |k: usize| -> Result<Vec<String>> {
            (0..k)
                .map(|_| {
                    let len = u32::from_le_bytes(r.array()?) as usize;
                    String::from_utf8(r.take(len)?.to_vec())
                        .map_err(|_| Error::Json("invalid event log: a label is not UTF-8".into()))
                })
                .collect()
        };
        let customers_l = labels(customers)?;
        let touchpoints_l = labels(touchpoints)?;
        let channels_l = labels(channels)?;
        let touchpoint = r.column(n, u32::from_le_bytes)?;
        let time = r.column(n, i64::from_le_bytes)?;
        let value = if has_values {
            Some(r.column(n, f64::from_le_bytes)?)
        } else {
            None
        };
        let channel = if has_channels {
            Some(r.column(n, u32::from_le_bytes)?)
        } else {
            None
        };
        let offsets = r.column(customers.saturating_add(1), u64::from_le_bytes)?;
        let offsets = (offsets.into_iter())
            .map(|x| {
                usize::try_from(x).map_err(|_| Error::Json("invalid event log: offset".into()))
            })
            .collect::<Result<Vec<usize>>>()?;
        let rows = r.column(n, u32::from_le_bytes)?;
        if r.pos != bytes.len() {
            return Err(Error::Json(format!(
                "invalid event log: {} trailing bytes",
                bytes.len() - r.pos
            )));
        }
        let log = EventLog {
            customers: customers_l,
            touchpoints: touchpoints_l,
            touchpoint,
            time,
            value,
            channels: channels_l,
            channel,
            offsets,
            rows,
        };
        log.validate()?;
        Ok(log)
    }
}

/// A cursor over the bytes; every read is bounds-checked.
struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, k: usize) -> Result<&'a [u8]> {
        let end = self.pos.checked_add(k);
        match end.and_then(|e| self.bytes.get(self.pos..e)) {
            Some(s) => {
                self.pos += k;
                Ok(s)
            }
            None => Err(Error::Json("invalid event log: truncated".into())),
        }
    }

    fn array<const K: usize>(&mut self) -> Result<[u8; K]> {
        <[u8; K]>::try_from(self.take(K)?)
            .map_err(|_| Error::Json("invalid event log: truncated".into()))
    }

    /// A count, which must fit the remaining bytes (so a hostile count cannot allocate).
    fn count(&mut self) -> Result<usize> {
        let k = u64::from_le_bytes(self.array()?);
        usize::try_from(k)
            .ok()
            .filter(|&k| k <= self.bytes.len())
            .ok_or_else(|| Error::Json(format!("invalid event log: count `{k}` is too large")))
    }

    fn column<T, const K: usize>(&mut self, k: usize, read: fn([u8; K]) -> T) -> Result<Vec<T>> {
        let raw = self.take(
            k.checked_mul(K)
                .ok_or_else(|| Error::Json("invalid event log: truncated".into()))?,
        )?;
        Ok(raw
            .chunks_exact(K)
            .filter_map(|c| <[u8; K]>::try_from(c).ok())
            .map(read)
            .collect())
    }
}
