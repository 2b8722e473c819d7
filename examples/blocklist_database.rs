//! flask-jwt-extended's `examples/blocklist_database.py`: logging out
//! revokes the access token by writing its `jti` to a `token_blocklist`
//! table, and a `token_in_blocklist_loader` looks every token up there.
//!
//! ```text
//! cargo run --example blocklist_database
//!
//! $ TOKEN=$(curl -s -X POST http://127.0.0.1:5000/login \
//!     | sed 's/.*"access_token":"\([^"]*\)".*/\1/')
//!
//! $ curl -s http://127.0.0.1:5000/protected -H "Authorization: Bearer $TOKEN"
//! {"hello":"world"}
//!
//! $ curl -s -X DELETE http://127.0.0.1:5000/logout -H "Authorization: Bearer $TOKEN"
//! {"msg":"JWT revoked"}
//!
//! $ curl -i http://127.0.0.1:5000/protected -H "Authorization: Bearer $TOKEN"
//! HTTP/1.1 401 Unauthorized
//! {"msg":"Token has been revoked"}
//! ```
//!
//! The blocklist lives in SQLite through sqlx, in memory as the original's
//! `sqlite://`: the pool holds a single connection and never closes it, since
//! an in-memory database disappears with its last connection (see
//! `automatic_user_loading`). A real service would use a file
//! (`sqlite://blocklist.db?mode=rwc`) or another database.
//!
//! As in the original, the table only grows: a row is useless once its
//! token has expired (an hour after login here), and a real service would
//! record the token's expiry too and delete the rows past it now and then.
//! The loader runs on every protected request, so `jti` is indexed.
//!
//! ## Why a loader, and not a `RevocationStore`
//!
//! jwt-ext has its own revocation API: a [`RevocationStore`] (two methods,
//! `insert` and `contains`, with a TTL) given to the builder with
//! `.revocation_store(store)`, and `jwt.revoke_token(&token)` to log out.
//! Implemented over this table it would add what the loader lacks: a
//! timeout on the lookup (`.revocation_timeout`, 503 rather than a hanging
//! request), entries that expire with their tokens, and refresh-token
//! rotation with reuse detection. `MemoryStore` and, with the `redis`
//! feature, `RedisStore` (see `blocklist_redis`) are ready-made ones.
//!
//! This example keeps flask's shape instead, because it is a port: the
//! table is the application's own (the original's comment suggests adding
//! who revoked a token, why, or an endpoint to un-revoke it), and the
//! loader is how an application plugs in a blocklist it already has. It is
//! also what moves over from a flask codebase unchanged.
//!
//! [`RevocationStore`]: jwt_ext::RevocationStore
//!
//! The port comes from `PORT` (default 5000). The secret is the example's
//! `super-secret`: change it, and load it from the environment, in any real
//! service (`JwtManager::from_env()` reads `JWT_SECRET_KEY`).

use std::str::FromStr;
use std::time::Duration;

use actix_web::{App, HttpResponse, HttpServer, delete, post, route, web};
use jwt_ext::{Jwt, JwtError, JwtErrorKind, JwtManager, jwt_required};
use serde_json::json;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePool, SqlitePoolOptions};

/// How long access tokens live: the original's `ACCESS_EXPIRES`.
const ACCESS_EXPIRES: Duration = Duration::from_secs(60 * 60);

/// The table of the original's `TokenBlocklist` model, as `db.create_all()`
/// creates it: Flask-SQLAlchemy names it `token_blocklist`, and the index
/// on `jti` `ix_token_blocklist_jti`. The jti is a UUID, 36 characters; a
/// database with a UUID type could use it.
///
/// This could be expanded to fit the needs of your application: who revoked
/// a token, when it expires, why it was revoked, and so on.
async fn create_table(pool: &SqlitePool) -> sqlx::Result<()> {
    sqlx::query(
        "CREATE TABLE token_blocklist (
            id INTEGER NOT NULL PRIMARY KEY,
            jti VARCHAR(36) NOT NULL,
            created_at DATETIME NOT NULL
        )",
    )
    .execute(pool)
    .await?;
    sqlx::query("CREATE INDEX ix_token_blocklist_jti ON token_blocklist (jti)")
        .execute(pool)
        .await?;
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

/// Whether `jti` is in the blocklist: the original's
/// `db.session.query(TokenBlocklist.id).filter_by(jti=jti).scalar()`.
async fn is_revoked(pool: &SqlitePool, jti: &str) -> sqlx::Result<bool> {
    let id: Option<i64> = sqlx::query_scalar("SELECT id FROM token_blocklist WHERE jti = ?")
        .bind(jti)
        .fetch_optional(pool)
        .await?;
    Ok(id.is_some())
}

async fn revoke(pool: &SqlitePool, jti: &str) -> sqlx::Result<()> {
    // SQLAlchemy's text form of a DateTime in SQLite (the time zone of the
    // original's `datetime.now(timezone.utc)` is dropped there too).
    let now = chrono::Utc::now()
        .format("%Y-%m-%d %H:%M:%S%.6f")
        .to_string();
    sqlx::query("INSERT INTO token_blocklist (jti, created_at) VALUES (?, ?)")
        .bind(jti)
        .bind(now)
        .execute(pool)
        .await?;
    Ok(())
}

/// Any database failure answers 500, with no detail for the client.
fn database_error(err: sqlx::Error) -> actix_web::Error {
    tracing::error!("database error: {err}");
    actix_web::error::ErrorInternalServerError("database error")
}

#[post("/login")]
async fn login(jwt: JwtManager) -> Result<HttpResponse, JwtError> {
    let access_token = jwt.create_access_token("example_user")?;
    Ok(HttpResponse::Ok().json(json!({ "access_token": access_token })))
}

/// Revokes the current user's access token: saves its unique identifier
/// (jti) in the blocklist table.
#[delete("/logout")]
#[jwt_required]
async fn logout(token: Jwt, pool: web::Data<SqlitePool>) -> actix_web::Result<HttpResponse> {
    // Every token this server mints has a jti; a token without one (signed
    // with our secret elsewhere) cannot be revoked by id.
    let Some(jti) = token.jti() else {
        return Err(JwtError::new(JwtErrorKind::InvalidToken, "Missing claim: jti").into());
    };
    revoke(&pool, jti).await.map_err(database_error)?;
    Ok(HttpResponse::Ok().json(json!({ "msg": "JWT revoked" })))
}

/// A revoked access token cannot reach this any more.
#[route("/protected", method = "GET", method = "HEAD")]
#[jwt_required]
async fn protected() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "hello": "world" }))
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    // Shows jwt-ext's start-up warnings, such as the one about the short secret.
    tracing_subscriber::fmt::init();
    let pool = connect().await.map_err(std::io::Error::other)?;
    create_table(&pool).await.map_err(std::io::Error::other)?;

    let blocklist_pool = pool.clone();
    let jwt = JwtManager::builder()
        .secret_key("super-secret") // Change this!
        .access_token_expires(ACCESS_EXPIRES)
        // Checks whether a token is in the database blocklist, on every
        // protected request (access and refresh tokens alike). `true`
        // answers 401 `Token has been revoked`; a database error answers
        // 500 and the handler does not run.
        .token_in_blocklist_loader(move |token: Jwt| {
            let pool = blocklist_pool.clone();
            async move {
                let Some(jti) = token.jti() else {
                    return Ok(false);
                };
                is_revoked(&pool, jti).await.map_err(database_error)
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
            .service(logout)
            .service(protected)
    })
    .bind(("127.0.0.1", port))?
    .run()
    .await
}
