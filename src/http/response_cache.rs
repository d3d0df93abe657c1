//! Bodies of polled resources by version tag: an unconditional read of a run whose version (and
//! caller, and query string: all in the tag) is unchanged is answered from here without running
//! its handler. Bounded by bytes; the oldest entries go first.
use bytes::Bytes;
use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

pub struct ResponseCache {
    budget: usize,
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    bodies: HashMap<String, Bytes>,
    order: VecDeque<String>,
    bytes: usize,
}

impl ResponseCache {
    pub fn with_budget(budget: usize) -> Self {
        Self {
            budget,
            inner: Mutex::default(),
        }
    }

    pub fn get(&self, tag: &str) -> Option<Bytes> {
        self.inner.lock().ok()?.bodies.get(tag).cloned()
    }

    pub fn put(&self, tag: String, body: Bytes) {
        if body.len() > self.budget / 8 {
            return; // one huge page would push out everything else
        }
        let Ok(mut inner) = self.inner.lock() else {
            return;
        };
        if inner.bodies.contains_key(&tag) {
            return;
        }
        while inner.bytes + body.len() > self.budget {
            let Some(old) = inner.order.pop_front() else {
                break;
            };
            if let Some(b) = inner.bodies.remove(&old) {
                inner.bytes -= b.len();
            }
        }
        inner.bytes += body.len();
        inner.order.push_back(tag.clone());
        inner.bodies.insert(tag, body);
    }

    pub fn bytes(&self) -> usize {
        self.inner.lock().map(|i| i.bytes).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_oldest_go_first_and_the_budget_holds() {
        let c = ResponseCache::with_budget(80);
        for i in 0..10 {
            c.put(format!("t{i}"), Bytes::from(vec![b'x'; 10]));
        }
        assert!(c.bytes() <= 80);
        assert_eq!(c.get("t0"), None);
        assert_eq!(c.get("t9").map(|b| b.len()), Some(10));
        c.put("huge".into(), Bytes::from(vec![b'x'; 11]));
        assert_eq!(
            c.get("huge"),
            None,
            "above an eighth of the budget: not kept"
        );
    }
}
