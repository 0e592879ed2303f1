//! Live reload: a watcher on the content directory, and the indexing thread
//! that owns the index writer and publishes a new snapshot after each change.

use std::collections::HashSet;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime};

use notify::RecursiveMode;
use notify::event::{AccessKind, AccessMode, EventKind};
use notify_debouncer_full::{DebounceEventResult, Debouncer, new_debouncer};

use super::embedder::Embedder;
use super::state::{AppState, ReloadStatus, Snapshot};
use crate::content::Problem;
use crate::content::Library;
use crate::index::{LiveIndex, SearchIndex};
use crate::search::Engine;

/// How long after a failed sync it is tried again.
const SYNC_RETRY: Duration = Duration::from_secs(2);

enum Message {
    Changed,
    /// New entry embeddings are in `state.meaning`; the sender hears when a
    /// snapshot using them is published.
    MeaningReady(Sender<()>),
    Stop,
}

/// The running indexing thread; `stop` ends it.
pub struct Reloader {
    sender: Sender<Message>,
    thread: Option<JoinHandle<()>>,
}

impl Reloader {
    /// Opens (or builds) the index on a thread of its own, publishes the first
    /// snapshot, then applies every change to the content directory.
    pub fn start(state: AppState) -> Reloader {
        let (sender, receiver) = channel();
        let watcher_sender = sender.clone();
        let thread = std::thread::Builder::new()
            .name("doumi-indexer".into())
            .spawn(move || run(state, receiver, watcher_sender))
            .expect("the indexing thread starts");
        Reloader { sender, thread: Some(thread) }
    }

    /// Stops the thread once it has finished the change it is applying.
    pub fn stop(mut self) {
        let _ = self.sender.send(Message::Stop);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn run(state: AppState, receiver: Receiver<Message>, sender: Sender<Message>) {
    let config = state.config.clone();
    let mut debouncer = watch(&config, sender.clone());
    // Until the index opens for updates (content folder missing, index folder
    // read-only …) the thread retries. Meanwhile an index already on disk is
    // served as it is, so customers keep their answers; with none the API
    // answers 503.
    let mut serving_read_only = false;
    let mut live = loop {
        let started = std::time::Instant::now();
        match LiveIndex::open(&config.content, &config.index) {
            Ok((live, _)) => {
                record(&state, started, None);
                break live;
            }
            Err(e) => {
                tracing::error!(error = %format!("{e:#}"), "cannot open the index for updates; retrying");
                if !serving_read_only {
                    serving_read_only = publish_read_only(&state);
                }
                let why = if serving_read_only { format!("{e}; the index is served as it was, edits apply once this is fixed") } else { e.to_string() };
                record(&state, started, Some(why));
                match receiver.recv_timeout(Duration::from_secs(1)) {
                    Ok(Message::Stop) | Err(RecvTimeoutError::Disconnected) => return,
                    _ => continue,
                }
            }
        }
    };
    if debouncer.is_none() {
        // The content directory may have appeared while we were retrying.
        debouncer = watch(&config, sender.clone());
    }
    let ready_sender = sender.clone();
    let embedder = Embedder::start(state.clone(), move || {
        let (published, wait) = channel();
        if ready_sender.send(Message::MeaningReady(published)).is_ok() {
            let _ = wait.recv_timeout(Duration::from_secs(60));
        }
    });
    let mut known_errors = error_keys(live.problems());
    publish(&state, &live);
    if let Some(embedder) = &embedder {
        embedder.embed(live.library().articles.clone());
    }
    tracing::info!(entries = state.current().map_or(0, |s| s.entries), "index ready");

    // After a failed sync (disk full …) it is tried again now and then: the
    // edits it could not apply are still waiting, and may have no other event.
    let mut failed = false;
    loop {
        let message = if failed { receiver.recv_timeout(SYNC_RETRY) } else { receiver.recv().map_err(|_| RecvTimeoutError::Disconnected) };
        if matches!(message, Err(RecvTimeoutError::Disconnected)) {
            break;
        }
        // Coalesce changes that arrived meanwhile into one sync.
        let mut stop = false;
        let mut changed = false;
        let mut meaning_published = Vec::new();
        for message in std::iter::once(message.ok()).flatten().chain(std::iter::from_fn(|| receiver.try_recv().ok())) {
            match message {
                Message::Stop => stop = true,
                Message::Changed => changed = true,
                Message::MeaningReady(published) => meaning_published.push(published),
            }
        }
        if stop && !changed {
            break;
        }
        let mut meaning_ready = !meaning_published.is_empty();
        if !changed && !failed {
            // Only the embeddings are new: the same entries, now also found
            // by meaning.
            publish(&state, &live);
            meaning_published.into_iter().for_each(|p| { let _ = p.send(()); });
            continue;
        }
        let started = std::time::Instant::now();
        state.metrics.syncs.inc();
        match live.sync() {
            Ok(report) => {
                let errors = error_keys(live.problems());
                let new_errors: Vec<&String> = errors.difference(&known_errors).collect();
                state.metrics.reload_errors.inc_by(new_errors.len() as u64);
                for problem in new_errors {
                    tracing::warn!(%problem, "content problem; the last good version is served");
                }
                known_errors = errors;
                if report.changed || meaning_ready {
                    publish(&state, &live);
                    meaning_ready = false;
                }
                if report.changed {
                    state.metrics.reloads.inc();
                    if let Some(embedder) = &embedder {
                        embedder.embed(live.library().articles.clone());
                    }
                    tracing::info!(updated = report.updated.len(), removed = report.removed.len(), rebuilt = report.rebuilt, took_ms = report.took_ms, "index updated");
                }
                record(&state, started, None);
                failed = false;
            }
            Err(e) => {
                state.metrics.reload_errors.inc();
                tracing::error!(error = %e, "reload failed; the previous version stays served");
                record(&state, started, Some(e.to_string()));
                failed = true;
            }
        }
        if meaning_ready {
            publish(&state, &live);
        }
        meaning_published.into_iter().for_each(|p| { let _ = p.send(()); });
        if stop {
            break;
        }
    }
    if let Some(embedder) = embedder {
        embedder.stop();
    }
    drop(debouncer);
}

/// Starts watching the content directory. Called before the index is opened,
/// so that a save made while it opens (or just after the first snapshot is
/// published) still triggers a sync instead of being missed.
fn watch(config: &crate::config::Config, sender: Sender<Message>) -> Option<Debouncer<notify::RecommendedWatcher, notify_debouncer_full::RecommendedCache>> {
    let debounce = Duration::from_millis(config.reload_debounce_ms);
    let handler = move |result: DebounceEventResult| {
        if result.is_ok_and(|events| events.iter().any(|e| changes_content(&e.kind))) {
            let _ = sender.send(Message::Changed);
        }
    };
    let mut debouncer = match new_debouncer(debounce, None, handler) {
        Ok(d) => d,
        Err(e) => {
            tracing::error!(error = %e, "cannot watch the content directory; edits need a restart");
            return None;
        }
    };
    if let Err(e) = debouncer.watch(&config.content, RecursiveMode::Recursive) {
        tracing::error!(error = %e, path = %config.content.display(), "cannot watch the content directory");
        return None;
    }
    Some(debouncer)
}

/// Whether a file event can change what is served. Reading a file is an
/// event too (inotify reports opens and closes), and a sync reads the editors'
/// dictionaries: reacting to reads would make every sync trigger the next.
fn changes_content(kind: &EventKind) -> bool {
    match kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) => false,
        EventKind::Any | EventKind::Create(_) | EventKind::Modify(_) | EventKind::Remove(_) | EventKind::Other => true,
    }
}

fn error_keys(problems: &[Problem]) -> HashSet<String> {
    problems.iter().filter(|p| p.is_error()).map(|p| p.to_string()).collect()
}

fn record(state: &AppState, started: std::time::Instant, error: Option<String>) {
    let status = ReloadStatus { at: Some(SystemTime::now()), took_ms: started.elapsed().as_millis() as u64, error };
    *state.reload.lock().unwrap_or_else(|e| e.into_inner()) = status;
}

/// Builds the snapshot of what `live` serves now and makes it current.
fn publish(state: &AppState, live: &LiveIndex) {
    publish_parts(state, live.search_index(), live.library(), live.generation());
}

/// Publishes the index on disk, opened for searching only, beside the content
/// as it is now. Returns whether there was one.
fn publish_read_only(state: &AppState) -> bool {
    let config = &state.config;
    let opened = SearchIndex::open_read_only(&config.index)
        .map_err(|e| e.to_string())
        .and_then(|index| Ok((index, Library::load(&config.content).map_err(|e| e.to_string())?)));
    match opened {
        Ok((index, library)) => {
            publish_parts(state, &index, &library, 1);
            tracing::warn!(entries = state.current().map_or(0, |s| s.entries), "serving the index read-only until it can be updated");
            true
        }
        Err(e) => {
            tracing::error!(error = %e, "no index to serve meanwhile");
            false
        }
    }
}

fn publish_parts(state: &AppState, index: &SearchIndex, library: &Library, generation: u64) {
    let (engine, synonym_problems) = match Engine::new(index.clone(), &state.config.content) {
        Ok((engine, problems)) => {
            let engine = engine.remember_answers(state.config.search_cache_entries);
            // The latest vectors, even if the entries changed since: an entry
            // is found by the meaning of its last embedded version until the
            // embedder catches up, and by its words at once.
            let engine = match state.meaning.load_full() {
                Some(meaning) => engine.with_meaning((*meaning).clone()),
                None => engine,
            };
            (engine, problems)
        }
        Err(e) => {
            tracing::error!(error = %e, "cannot read the index vocabulary; the previous version stays served");
            return;
        }
    };
    let entries = engine.entries();
    let mut problems = library.problems.clone();
    problems.extend(synonym_problems);
    let articles = library.articles.iter().map(|a| (a.id.clone(), a.clone())).collect();
    state.publish(Snapshot {
        engine,
        articles,
        problems,
        generation,
        entries,
        content: library.fingerprint(&state.config.content),
        reloaded_at: SystemTime::now(),
    });
}
