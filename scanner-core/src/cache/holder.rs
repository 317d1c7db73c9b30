//! Who holds a lease, and whether that holder can still be alive.
//!
//! A lease row names its holder as `host|machine|pid@start|nonce`. `machine` is the boot id
//! and PID namespace of the process (Linux), `start` the process's start time in clock
//! ticks, so a lease whose holder ran on this machine and in this PID namespace can be
//! checked at once: a process that is gone (or a PID since reused by another process) frees
//! the lease without waiting for its TTL. A holder in this very process is alive only while
//! its [`super::WriterLease`] is: a lease leaked by a failed release (the database was down)
//! is taken back by the next acquire. Everything else waits for the TTL.

use std::collections::HashSet;
use std::sync::{Mutex, OnceLock};

/// This process's identity, computed once.
struct Me {
    host: String,
    /// Boot id and PID namespace; `None` where they cannot be read (non-Linux).
    machine: Option<String>,
    pid: u32,
    start: Option<u64>,
}

fn me() -> &'static Me {
    static ME: OnceLock<Me> = OnceLock::new();
    ME.get_or_init(|| {
        let pid = std::process::id();
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .map(|h| h.trim().to_owned())
            .or_else(|_| std::env::var("HOSTNAME"))
            .unwrap_or_default();
        let boot = std::fs::read_to_string("/proc/sys/kernel/random/boot_id")
            .ok()
            .map(|b| b.trim().to_owned());
        let pidns = std::fs::read_link("/proc/self/ns/pid")
            .ok()
            .map(|p| p.display().to_string());
        let machine = match (boot, pidns) {
            (Some(b), Some(n)) if !b.is_empty() => Some(format!("{b}/{n}")),
            _ => None,
        };
        Me {
            host: clean(&host),
            machine: machine.map(|m| clean(&m)),
            pid,
            start: start_time(pid),
        }
    })
}

/// Field separators never appear inside a field.
fn clean(s: &str) -> String {
    s.replace(['|', '@'], "_")
}

/// Holders alive in this process (a leaked one is not in the set).
fn live() -> &'static Mutex<HashSet<String>> {
    static LIVE: OnceLock<Mutex<HashSet<String>>> = OnceLock::new();
    LIVE.get_or_init(Default::default)
}

/// A new holder name for one lease taken by this process.
pub(crate) fn new_holder() -> String {
    let me = me();
    format!(
        "{}|{}|{}@{}|{}",
        me.host,
        me.machine.as_deref().unwrap_or("-"),
        me.pid,
        me.start.map_or_else(|| "-".to_owned(), |s| s.to_string()),
        uuid::Uuid::new_v4()
    )
}

/// Mark `holder` as held (after a successful acquire) or no longer held.
pub(crate) fn set_live(holder: &str, alive: bool) {
    let mut set = live()
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if alive {
        set.insert(holder.to_owned());
    } else {
        set.remove(holder);
    }
}

/// True when `holder` is certainly dead: it ran on this machine in this PID namespace and
/// its process is gone, or it belongs to this process and its lease object no longer exists.
/// Unknown holders (other machines, unparseable names) are never declared dead.
pub(crate) fn is_dead(holder: &str) -> bool {
    let me = me();
    let Some(machine) = &me.machine else {
        return false;
    };
    let mut parts = holder.split('|');
    let (Some(_host), Some(their_machine), Some(proc_id), Some(_nonce)) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    if their_machine != machine {
        return false;
    }
    let Some((pid, start)) = proc_id.split_once('@') else {
        return false;
    };
    let Ok(pid) = pid.parse::<u32>() else {
        return false;
    };
    if pid == me.pid {
        let set = live()
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        return !set.contains(holder);
    }
    match (start.parse::<u64>().ok(), start_time(pid)) {
        // Gone, a zombie, or the PID now belongs to a process started at another time.
        (_, None) => true,
        (Some(theirs), Some(now)) => theirs != now,
        (None, Some(_)) => false,
    }
}

/// The start time (clock ticks after boot) of a running, non-zombie process `pid`.
fn start_time(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) is in parentheses and may hold spaces: split after it.
    let after = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = after.split_whitespace().collect();
    // Field 3 (state) is fields[0]; field 22 (starttime) is fields[19].
    if matches!(fields.first(), Some(&"Z") | Some(&"X") | Some(&"x")) {
        return None;
    }
    fields.get(19)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_holders_are_alive_only_while_marked() {
        let h = new_holder();
        if me().machine.is_none() {
            assert!(
                !is_dead(&h),
                "without a machine id nothing is declared dead"
            );
            return;
        }
        set_live(&h, true);
        assert!(!is_dead(&h));
        set_live(&h, false);
        assert!(is_dead(&h), "a leaked lease of this process is dead");
    }

    #[test]
    fn foreign_and_malformed_holders_are_never_dead() {
        assert!(!is_dead("otherhost|other-machine|1@1|x"));
        assert!(!is_dead("garbage"));
        assert!(!is_dead(""));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_gone_process_on_this_machine_is_dead() {
        let Some(machine) = &me().machine else { return };
        // PIDs are below 2^22 on Linux; this one cannot exist.
        let h = format!("h|{machine}|4294967295@1|x");
        assert!(is_dead(&h));
        // The parent of this test process is alive, with its real start time.
        let ppid = std::os::unix::process::parent_id();
        let start = start_time(ppid).expect("parent runs");
        assert!(!is_dead(&format!("h|{machine}|{ppid}@{start}|x")));
        // Same PID, other start time: the PID was reused.
        assert!(is_dead(&format!("h|{machine}|{ppid}@{}|x", start + 1)));
    }
}
