//! `vigil users`: console users, managed offline on the data directory (the first admin
//! has to come from somewhere). Each prints the one-time link a person opens to choose a
//! password; send it to them over a channel you trust.

use std::sync::Arc;

use anyhow::Context;
use clap::Subcommand;
use vigil_domain::user::Role;
use vigil_server::use_cases::users::{self, NewUser};
use vigil_store::{transact_blocking, PageRequest, Store};

#[derive(Subcommand)]
pub enum UsersCommand {
    /// Invite a person to the console and print their invitation link (valid 7 days).
    Create {
        #[command(flatten)]
        place: Place,
        /// Their email address (how they sign in).
        #[arg(long)]
        email: String,
        /// admin, reviewer (decides cases), analyst (investigates) or viewer (reads).
        #[arg(long)]
        role: String,
        /// Their name, as shown on what they do.
        #[arg(long)]
        name: Option<String>,
    },
    /// List the console's users: id, email, role, status.
    List {
        #[command(flatten)]
        place: Place,
    },
    /// Make a user's password stop working, end their sessions and print a new link.
    ResetPassword {
        #[command(flatten)]
        place: Place,
        #[arg(long)]
        email: String,
    },
}

#[derive(clap::Args)]
pub struct Place {
    #[command(flatten)]
    storage: crate::storage::Storage,
    /// The URL people reach the console at (as `vigil serve --public-url`).
    #[arg(
        long,
        env = "VIGIL_PUBLIC_URL",
        default_value = "http://127.0.0.1:8080"
    )]
    public_url: String,
}

fn link(place: &Place, token: &str) -> String {
    format!(
        "{}/invitations/{token}",
        place.public_url.trim_end_matches('/')
    )
}

fn organization(store: &Arc<dyn Store>) -> anyhow::Result<String> {
    Ok(store
        .environments()?
        .first()
        .context("the data directory has no environment")?
        .organization_id
        .clone())
}

pub fn run(command: UsersCommand) -> anyhow::Result<()> {
    let now = vigil_server::now_millis();
    match command {
        UsersCommand::Create {
            place,
            email,
            role,
            name,
        } => {
            let role = Role::parse(&role).with_context(|| {
                format!("--role must be admin, reviewer, analyst or viewer, got `{role}`")
            })?;
            let store = crate::open_initialised(&place.storage)?;
            let org = organization(&store)?;
            let issued = transact_blocking(&store, move |tx| {
                users::invite(tx, &org, now, NewUser { email, name, role })
            })
            .map_err(|refusal| anyhow::anyhow!("{refusal}"))?;
            eprintln!(
                "invited {} as {}; they set a password at:",
                issued.value.email,
                issued.value.role.as_str()
            );
            println!("{}", link(&place, &issued.token));
        }
        UsersCommand::List { place } => {
            let store = crate::open_existing(&place.storage)?;
            let org = organization(&store)?;
            let mut request = PageRequest {
                size: 100,
                ..PageRequest::default()
            };
            loop {
                let page = store.users(&org, &request)?;
                for user in &page.items {
                    println!(
                        "{}\t{}\t{}\t{}",
                        user.id,
                        user.email,
                        user.role.as_str(),
                        user.status(now)
                    );
                }
                match page.items.last() {
                    Some(last) if page.has_older => request.after = Some(last.id.clone()),
                    _ => break,
                }
            }
        }
        UsersCommand::ResetPassword { place, email } => {
            let store = crate::open_existing(&place.storage)?;
            let org = organization(&store)?;
            let found = store
                .user_by_email(&email.trim().to_lowercase())?
                .with_context(|| format!("no user has the email address {email}"))?;
            let issued = transact_blocking(&store, move |tx| {
                users::reset_password(tx, &org, now, &found.id)
            })
            .map_err(|refusal| anyhow::anyhow!("{refusal}"))?;
            eprintln!(
                "{}'s password no longer works; they set a new one at:",
                issued.value.email
            );
            println!("{}", link(&place, &issued.token));
        }
    }
    Ok(())
}
