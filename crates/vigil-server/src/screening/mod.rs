//! Screening inside the server: the in-memory indexes of every environment, what a query
//! matches, and how a report run is recorded.
//!
//! Three watchlists (see `vigil_screening::watch`) per environment, plus one shared by
//! all: the environment's active list items, the subjects it monitors (accounts, and
//! reports made with their own query), and the loaded sanctions sources. Only the
//! monitor (`monitor.rs`) changes them, in event-log order, so an account created while
//! a list item is added meets it from one side or the other.

pub mod monitor;

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::RwLock;
use std::time::Duration;

use vigil_domain::list::{ItemValue, List, ListItem};
use vigil_domain::report::{MatchRecord, MatchedList, Query};
use vigil_screening::name::DEFAULT_THRESHOLD;
use vigil_screening::sources::Party;
use vigil_screening::watch::{keys, On, Subject, Watchlist};
use vigil_store::Source;

/// What an entry of an environment's list index stands for.
#[derive(Debug, Clone)]
pub struct ItemRef {
    pub list_id: String,
    /// The listed value as people read it (a name, an email, `US`).
    pub value: String,
    pub matched_on: &'static str,
}

/// A sanctioned party in the shared index.
#[derive(Debug, Clone)]
pub struct PartyRef {
    pub source_id: String,
    pub source_name: String,
    pub primary_name: String,
    pub birth_years: Vec<i32>,
}

/// A monitored subject: an account (its query follows the account) or a report made with
/// its own query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubjectKind {
    Account,
    Report,
}

#[derive(Default)]
pub struct EnvIndexes {
    pub lists: Watchlist<ItemRef>,
    /// Active lists: name, and the items filed under each (to drop them when it is archived).
    pub list_names: HashMap<String, String>,
    pub items_of_list: HashMap<String, Vec<String>>,
    pub subjects: Watchlist<SubjectKind>,
}

/// Shared screening state.
pub struct Screening {
    pub threshold: f64,
    envs: RwLock<HashMap<String, EnvIndexes>>,
    sources: RwLock<Watchlist<PartyRef>>,
    /// The source generation loaded into `sources`.
    source_generation: AtomicI64,
    /// The last event whose changes are in the indexes.
    applied: AtomicI64,
    caught_up: tokio::sync::Notify,
}

impl Default for Screening {
    fn default() -> Self {
        Screening {
            threshold: DEFAULT_THRESHOLD,
            envs: RwLock::default(),
            sources: RwLock::default(),
            source_generation: AtomicI64::new(0),
            applied: AtomicI64::new(0),
            caught_up: tokio::sync::Notify::new(),
        }
    }
}

/// An item's subject (to find the monitored subjects it matches) and its own entry keys.
fn item_entry(item: &ListItem) -> Option<(Vec<String>, Vec<String>, String, &'static str)> {
    Some(match &item.value {
        ItemValue::Name {
            name_first,
            name_last,
        } => {
            let name = [name_first, name_last]
                .into_iter()
                .flatten()
                .map(String::as_str)
                .collect::<Vec<_>>()
                .join(" ");
            (vec![name.clone()], vec![], name, "name")
        }
        ItemValue::EmailAddress { value, match_type } if match_type == "domain" => (
            vec![],
            vec![keys::email_domain(value)],
            value.clone(),
            "email-address",
        ),
        ItemValue::EmailAddress { value, .. } => (
            vec![],
            vec![keys::canonical_email(&item.match_key)],
            value.clone(),
            "email-address",
        ),
        ItemValue::PhoneNumber { value } => (
            vec![],
            keys::phone_number(value, None).into_iter().collect(),
            value.clone(),
            "phone-number",
        ),
        ItemValue::Country { country_code } => (
            vec![],
            vec![keys::country(country_code)],
            country_code.clone(),
            "country",
        ),
        ItemValue::GovernmentIdNumber {
            id_number,
            id_class,
        } => (
            vec![],
            vec![keys::listed_id_number(id_class.as_deref(), id_number)],
            id_number.clone(),
            "government-id-number",
        ),
        // Accounts carry no IP addresses, places, fingerprints or free strings to screen.
        _ => return None,
    })
}

/// The subject that finds which monitored subjects a new item matches.
pub fn item_subject(item: &ListItem) -> Option<Subject> {
    let (names, keys, ..) = item_entry(item)?;
    Some(Subject {
        names,
        keys,
        birth_year: None,
    })
}

/// A party's aliases as a subject (to find the monitored subjects a new source matches).
fn party_entry(party: &Party) -> (Vec<String>, Vec<i32>) {
    (party.names.clone(), party.birth_years.clone())
}

impl Screening {
    pub fn new() -> Self {
        Self::default()
    }

    fn with_env<T>(&self, env: &str, f: impl FnOnce(&mut EnvIndexes) -> T) -> T {
        let mut envs = self.envs.write().expect("screening lock poisoned");
        f(envs.entry(env.to_string()).or_default())
    }

    /// Index a list (active) so its items can name it.
    pub fn add_list(&self, env: &str, list: &List) {
        self.with_env(env, |e| {
            e.list_names.insert(list.id.clone(), list.name.clone());
        });
    }

    pub fn has_list(&self, env: &str, list_id: &str) -> bool {
        let envs = self.envs.read().expect("screening lock poisoned");
        envs.get(env)
            .is_some_and(|e| e.list_names.contains_key(list_id))
    }

    pub fn source_generation(&self) -> i64 {
        self.source_generation.load(Ordering::SeqCst)
    }

    /// Drop an archived list and every item of it.
    pub fn remove_list(&self, env: &str, list_id: &str) {
        self.with_env(env, |e| {
            e.list_names.remove(list_id);
            for item in e.items_of_list.remove(list_id).unwrap_or_default() {
                e.lists.remove(&item);
            }
        });
    }

    /// Index an active item (replacing it if present); false for kinds accounts cannot match.
    pub fn add_item(&self, env: &str, item: &ListItem) -> bool {
        let Some((names, keys, value, matched_on)) = item_entry(item) else {
            return false;
        };
        self.with_env(env, |e| {
            let reference = ItemRef {
                list_id: item.list_id.clone(),
                value,
                matched_on,
            };
            e.lists.insert(&item.id, reference, &names, keys, vec![]);
            let items = e.items_of_list.entry(item.list_id.clone()).or_default();
            if !items.contains(&item.id) {
                items.push(item.id.clone());
            }
        });
        true
    }

    pub fn remove_item(&self, env: &str, item: &ListItem) {
        self.with_env(env, |e| {
            e.lists.remove(&item.id);
            if let Some(items) = e.items_of_list.get_mut(&item.list_id) {
                items.retain(|i| i != &item.id);
            }
        });
    }

    /// Monitor a subject under `owner` (an account or report id); an empty query is not
    /// monitored.
    pub fn watch_subject(&self, env: &str, owner: &str, kind: SubjectKind, query: &Query) {
        let subject = query.subject();
        self.with_env(env, |e| {
            if subject.names.is_empty() && subject.keys.is_empty() {
                e.subjects.remove(owner);
            } else {
                e.subjects
                    .insert(owner, kind, &subject.names, subject.keys, vec![]);
            }
        });
    }

    pub fn unwatch_subject(&self, env: &str, owner: &str) {
        self.with_env(env, |e| {
            e.subjects.remove(owner);
        });
    }

    /// The monitored subjects `subject` matches: (owner, kind).
    pub fn subjects_matching(&self, env: &str, subject: &Subject) -> Vec<(String, SubjectKind)> {
        let envs = self.envs.read().expect("screening lock poisoned");
        let Some(e) = envs.get(env) else {
            return Vec::new();
        };
        let mut out: Vec<(String, SubjectKind)> = e
            .subjects
            .screen(subject, self.threshold)
            .into_iter()
            .map(|m| (m.owner.to_string(), *m.payload))
            .collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out.dedup_by(|a, b| a.0 == b.0);
        out
    }

    /// Every monitored subject of every environment: (env, owner, kind).
    pub fn all_subjects(&self) -> Vec<(String, String, SubjectKind)> {
        let envs = self.envs.read().expect("screening lock poisoned");
        envs.iter()
            .flat_map(|(env, e)| {
                e.subjects
                    .iter()
                    .map(move |(owner, kind)| (env.clone(), owner.to_string(), *kind))
            })
            .collect()
    }

    /// Replace the sanctions index with these sources and parties.
    pub fn load_sources(&self, loaded: Vec<(Source, Vec<Party>)>) {
        let mut index = Watchlist::new();
        let mut generation = 0;
        for (source, parties) in loaded {
            generation = generation.max(source.generation);
            for party in parties {
                let (names, birth_years) = party_entry(&party);
                let reference = PartyRef {
                    source_id: source.id.clone(),
                    source_name: source.name.clone(),
                    primary_name: names.first().cloned().unwrap_or_default(),
                    birth_years: birth_years.clone(),
                };
                let owner = format!("{}:{}", source.id, party.source_id);
                index.insert(&owner, reference, &names, vec![], birth_years);
            }
        }
        *self.sources.write().expect("screening lock poisoned") = index;
        self.source_generation.store(generation, Ordering::SeqCst);
    }

    /// Sanctioned parties loaded.
    pub fn source_parties(&self) -> usize {
        self.sources.read().expect("screening lock poisoned").len()
    }

    /// Everything `query` matches in the environment's lists and the sanctions sources.
    pub fn find(&self, env: &str, query: &Query, now: i64) -> Vec<MatchRecord> {
        let subject = query.subject();
        let mut out = Vec::new();
        {
            let envs = self.envs.read().expect("screening lock poisoned");
            if let Some(e) = envs.get(env) {
                for m in e.lists.screen(&subject, self.threshold) {
                    let list_name = e.list_names.get(&m.payload.list_id).cloned();
                    out.push(record(
                        m.owner,
                        MatchedList {
                            id: m.payload.list_id.clone(),
                            name: list_name.unwrap_or_else(|| m.payload.list_id.clone()),
                            list_type: "custom".into(),
                        },
                        m.payload.value.clone(),
                        m.payload.matched_on,
                        vec![],
                        m.score,
                        &m.on,
                        now,
                    ));
                }
            }
        }
        let sources = self.sources.read().expect("screening lock poisoned");
        // Sanctions sources list people and organisations by name only.
        let by_name = Subject {
            keys: Vec::new(),
            ..subject
        };
        for m in sources.screen(&by_name, self.threshold) {
            out.push(record(
                m.owner,
                MatchedList {
                    id: m.payload.source_id.clone(),
                    name: m.payload.source_name.clone(),
                    list_type: "sanction".into(),
                },
                m.payload.primary_name.clone(),
                "name",
                m.payload.birth_years.clone(),
                m.score,
                &m.on,
                now,
            ));
        }
        out
    }

    /// Note that the indexes hold every change up to event `seq`.
    pub(crate) fn mark_applied(&self, seq: i64) {
        self.applied.fetch_max(seq, Ordering::SeqCst);
        self.caught_up.notify_waiters();
    }

    pub fn applied(&self) -> i64 {
        self.applied.load(Ordering::SeqCst)
    }

    /// Wait (at most `limit`) until the indexes hold every change up to event `seq`, so a
    /// request sees the lists as its own earlier writes left them.
    pub async fn wait_for(&self, seq: i64, limit: Duration) {
        let deadline = tokio::time::Instant::now() + limit;
        while self.applied() < seq {
            let notified = self.caught_up.notified();
            if self.applied() >= seq {
                break;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                tracing::warn!(
                    seq,
                    applied = self.applied(),
                    "screening is behind the event log"
                );
                break;
            }
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn record(
    key: &str,
    list: MatchedList,
    entity_name: String,
    matched_on: &str,
    birth_years: Vec<i32>,
    score: f64,
    on: &On,
    now: i64,
) -> MatchRecord {
    let (matched_value, explanation) = match on {
        On::Name {
            matched,
            explanation,
            ..
        } => (matched.clone(), serde_json::to_value(explanation).ok()),
        On::Key(key) => (
            key.split_once(':')
                .map_or(key.as_str(), |(_, v)| v)
                .to_string(),
            None,
        ),
    };
    MatchRecord {
        key: key.to_string(),
        list,
        entity_name,
        matched_value,
        matched_on: matched_on.to_string(),
        birth_years,
        score: (score * 1000.0).round() / 1000.0,
        explanation,
        first_matched_at: now,
    }
}
