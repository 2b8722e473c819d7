//! flask-jwt-extended's `examples/automatic_user_loading.py`: the token
//! carries the user's id, and every protected request loads that user from
//! the database, where the handler finds it as `CurrentUser<User>` (flask's
//! `current_user`).
//!
//! ```text
//! cargo run --example automatic_user_loading
//!
//! $ curl -i http://127.0.0.1:5000/who_am_i
//! HTTP/1.1 401 Unauthorized
//! {"msg":"Missing Authorization Header"}
//!
//! # As in the original, the answer to a bad login is a bare JSON string.
//! $ curl -i -X POST http://127.0.0.1:5000/login \
//!     -H 'Content-Type: application/json' -d '{"username": "panther", "password": "wrong"}'
//! HTTP/1.1 401 Unauthorized
//! "Wrong username or password"
//!
//! # Every user's password is "password", as in the original.
//! $ TOKEN=$(curl -s -X POST http://127.0.0.1:5000/login \
//!     -H 'Content-Type: application/json' -d '{"username": "panther", "password": "password"}' \
//!     | sed 's/.*"access_token":"\([^"]*\)".*/\1/')
//!
//! $ curl -s http://127.0.0.1:5000/who_am_i -H "Authorization: Bearer $TOKEN"
//! {"full_name":"Ann Takamaki","id":2,"username":"panther"}
//! ```
//!
//! The users live in SQLite through sqlx, created and seeded at start:
//! `batman` (Bruce Wayne), `panther` (Ann Takamaki) and `little_sapphire`
//! (Jester Lavore). The database is in memory, as the original's `sqlite://`
//! (where Flask-SQLAlchemy shares one connection between all requests). An
//! in-memory database lives only as long as a connection to it is open, so
//! the pool holds a single connection and never closes it (no idle timeout,
//! no maximum lifetime); the users are gone when the server stops. A real
//! service would use a file (`sqlite://users.db?mode=rwc`) or another
//! database, and a pool of several connections.
//!
//! As in the original there is no password column: every user's password is
//! the word `password`, compared in constant time (`hmac.compare_digest`
//! there, `subtle` here). A real service stores a salted hash (argon2,
//! bcrypt, scrypt) per user and compares against that. A login without a
//! password is refused like a wrong one (the original answers it with a 500).
//!
//! One deliberate difference: the identity loader turns the user into its id
//! **as a string** (`"sub": "2"`). The original returns the integer id, and
//! with flask-jwt-extended 4.7's default `JWT_VERIFY_SUB = True` its own
//! tokens are then refused on `/who_am_i` (422 `Subject must be a string`),
//! as they are by jwt-ext. `verify_sub(false)` (flask's
//! `JWT_VERIFY_SUB = False`) would let integer subjects through instead.
//!
//! The port comes from `PORT` (default 5000). The secret is the example's
//! `super-secret`: change it, and load it from the environment, in any real
//! service (`JwtManager::from_env()` reads `JWT_SECRET_KEY`).

use std::str::FromStr;

use actix_web::{App, HttpResponse, HttpServer, post, route, web};
use jwt_ext::{CurrentUser, JwtError, JwtManager, jwt_required};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sqlx::Row;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePool, SqlitePoolOptions, SqliteRow};
use subtle::ConstantTimeEq;

/// A row of the `user` table (the original's SQLAlchemy model, whose table
/// is named `user` too).
#[derive(Clone, Debug, Serialize)]
struct User {
    id: i64,
    username: String,
    full_name: String,
}

impl User {
    fn from_row(row: &SqliteRow) -> sqlx::Result<User> {
        Ok(User {
            id: row.try_get("id")?,
            username: row.try_get("username")?,
            full_name: row.try_get("full_name")?,
        })
    }

    /// Every user's password is "password", as in the original.
    fn check_password(&self, password: &str) -> bool {
        password.as_bytes().ct_eq(b"password").into()
    }
}

/// The table, as the original's `db.create_all()` creates it, and its users.
async fn create_and_seed(pool: &SqlitePool) -> sqlx::Result<()> {
    sqlx::query(
        "CREATE TABLE user (
            id INTEGER NOT NULL PRIMARY KEY,
            username TEXT NOT NULL UNIQUE,
            full_name TEXT NOT NULL
        )",
    )
    .execute(pool)
    .await?;
    for (full_name, username) in [
        ("Bruce Wayne", "batman"),
        ("Ann Takamaki", "panther"),
        ("Jester Lavore", "little_sapphire"),
    ] {
        sqlx::query("INSERT INTO user (full_name, username) VALUES (?, ?)")
            .bind(full_name)
            .bind(username)
            .execute(pool)
            .await?;
    }
    Ok(())
}

/// An in-memory database: one connection, kept open for the life of the
/// server, since the database disappears with it.
async fn connect() -> sqlx::Result<SqlitePool> {
    let options = SqliteConnectOptions::from_str("sqlite::memory:")?;
    SqlitePoolOptions::new()
        .min_connections(1)
        .max_connections(1)
        .idle_timeout(None)
        .max_lifetime(None)
        .connect_with(options)
        .await
}

async fn user_by_id(pool: &SqlitePool, id: i64) -> sqlx::Result<Option<User>> {
    sqlx::query("SELECT id, username, full_name FROM user WHERE id = ?")
        .bind(id)
        .fetch_optional(pool)
        .await?
        .as_ref()
        .map(User::from_row)
        .transpose()
}

async fn user_by_username(pool: &SqlitePool, username: &str) -> sqlx::Result<Option<User>> {
    sqlx::query("SELECT id, username, full_name FROM user WHERE username = ?")
        .bind(username)
        .fetch_optional(pool)
        .await?
        .as_ref()
        .map(User::from_row)
        .transpose()
}

/// Any database failure answers 500, with no detail for the client.
fn database_error(err: sqlx::Error) -> actix_web::Error {
    tracing::error!("database error: {err}");
    actix_web::error::ErrorInternalServerError("database error")
}

#[derive(Deserialize)]
struct Credentials {
    username: Option<String>,
    password: Option<String>,
}

#[post("/login")]
async fn login(
    jwt: JwtManager,
    pool: web::Data<SqlitePool>,
    body: web::Json<Credentials>,
) -> actix_web::Result<HttpResponse> {
    let user = match body.username.as_deref() {
        Some(username) => user_by_username(&pool, username)
            .await
            .map_err(database_error)?,
        None => None,
    };
    let password = body.password.as_deref().unwrap_or_default();
    let Some(user) = user.filter(|user| user.check_password(password)) else {
        return Ok(HttpResponse::Unauthorized().json("Wrong username or password"));
    };
    // Notice that we are passing in the actual User here: the identity
    // loader turns it into the token's identity.
    let access_token = jwt.create_access_token(&user)?;
    Ok(HttpResponse::Ok().json(json!({ "access_token": access_token })))
}

/// The user was loaded from the database by the `user_lookup_loader` before
/// this handler runs.
#[route("/who_am_i", method = "GET", method = "HEAD")]
#[jwt_required]
async fn who_am_i(current_user: CurrentUser<User>) -> Result<HttpResponse, JwtError> {
    // Flask sorts the keys of its JSON answers; so do we, by hand.
    Ok(HttpResponse::Ok().json(json!({
        "full_name": current_user.full_name,
        "id": current_user.id,
        "username": current_user.username,
    })))
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    // Shows jwt-ext's start-up warnings, such as the one about the short secret.
    tracing_subscriber::fmt::init();
    let pool = connect().await.map_err(std::io::Error::other)?;
    create_and_seed(&pool)
        .await
        .map_err(std::io::Error::other)?;

    let lookup_pool = pool.clone();
    let jwt = JwtManager::builder()
        .secret_key("super-secret") // Change this!
        // Takes whatever is passed as the identity when creating tokens, as
        // JSON (a User becomes its fields), and returns the identity claim:
        // the user's id, as a string (see the module's documentation).
        .user_identity_loader(|user: &Value| Value::String(user["id"].to_string()))
        // Loads the user of a verified token from the database, on every
        // protected request. `Ok(None)` (say, the user was deleted since)
        // answers 401 `Error loading the user <identity>`; an error answers
        // its own response.
        .user_lookup_loader(move |token| {
            let pool = lookup_pool.clone();
            async move {
                let Some(id) = token.identity().as_str().and_then(|id| id.parse().ok()) else {
                    return Ok(None);
                };
                user_by_id(&pool, id).await.map_err(database_error)
            }
        })
        .build()
        .map_err(std::io::Error::other)?;

    let port = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(5000);
    println!("listening on http://127.0.0.1:{port}");
    HttpServer::new(move || {
        App::new()
            .app_data(jwt.clone())
            .app_data(web::Data::new(pool.clone()))
            .service(login)
            .service(who_am_i)
    })
    .bind(("127.0.0.1", port))?
    .run()
    .await
}
