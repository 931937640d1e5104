#include "SecretStore.h"

#include "common/Logging.h"

#include <QPromise>
#include <qt6keychain/keychain.h>

#include <memory>

using namespace Qt::StringLiterals;

namespace tl {

namespace {

Error keychainError(const QKeychain::Job *job, const QString &name)
{
    switch (job->error()) {
    case QKeychain::EntryNotFound:
        return Error{ErrorCode::NotFound, u"No key is stored in the keychain for \"%1\"."_s.arg(name)};
    case QKeychain::AccessDenied:
    case QKeychain::AccessDeniedByUser:
        return Error{ErrorCode::Secret, u"The keychain refused access to \"%1\" (is it unlocked?)."_s.arg(name)};
    case QKeychain::NoBackendAvailable:
        return Error{ErrorCode::Secret,
                     u"No keychain is available (on Linux: start gnome-keyring or KWallet). Keys are never "
                     "stored in plain text."_s};
    default:
#if defined(Q_OS_UNIX) && !defined(Q_OS_DARWIN)
        // No session bus (a server, ssh, a container): Qt's "Cannot autolaunch D-Bus without X11 $DISPLAY"
        // does not say what to do.
        if (qEnvironmentVariableIsEmpty("DBUS_SESSION_BUS_ADDRESS"))
            return Error{ErrorCode::Secret,
                         u"No keychain is reachable for \"%1\": there is no D-Bus session (DBUS_SESSION_BUS_ADDRESS "
                         "is not set, as on a machine without a desktop session; %2). Run TokenLedger inside one "
                         "with an unlocked keyring, for example: dbus-run-session -- sh -c 'gnome-keyring-daemon "
                         "--unlock --components=secrets < KEYRING_PASSWORD_FILE >/dev/null && tokenledger ...' "
                         "(docs/proxy.md, \"Keys without a desktop session\"). Keys are never stored in plain text."_s
                             .arg(name, job->errorString())};
#endif
        // QtKeychain's text names the backend failure, never the secret.
        return Error{ErrorCode::Secret, u"Keychain error for \"%1\": %2"_s.arg(name, job->errorString())};
    }
}

template<typename Job, typename T, typename Fill>
QFuture<Result<T>> run(Job *job, const QString &name, Fill fill)
{
    auto promise = std::make_shared<QPromise<Result<T>>>();
    promise->start();
    QFuture<Result<T>> future = promise->future();
    job->setAutoDelete(true);
    QObject::connect(job, &QKeychain::Job::finished, job, [promise, name, fill](QKeychain::Job *j) {
        if (j->error() != QKeychain::NoError) {
            qCInfo(lcSecrets) << "keychain" << name << "failed:" << j->error();
            promise->addResult(std::unexpected(keychainError(j, name)));
        } else {
            promise->addResult(fill(static_cast<Job *>(j)));
        }
        promise->finish();
    });
    job->start();
    return future;
}

} // namespace

KeychainSecretStore::KeychainSecretStore(QString service)
    : m_service(std::move(service))
{
}

QFuture<Result<QByteArray>> KeychainSecretStore::read(const QString &name)
{
    auto *job = new QKeychain::ReadPasswordJob(m_service);
    job->setKey(name);
    return run<QKeychain::ReadPasswordJob, QByteArray>(job, name, [](QKeychain::ReadPasswordJob *j) {
        return Result<QByteArray>(j->binaryData());
    });
}

QFuture<Result<void>> KeychainSecretStore::write(const QString &name, const QByteArray &secret)
{
    auto *job = new QKeychain::WritePasswordJob(m_service);
    job->setKey(name);
    job->setBinaryData(secret);
    return run<QKeychain::WritePasswordJob, void>(job, name, [](QKeychain::WritePasswordJob *) { return Result<void>(); });
}

QFuture<Result<void>> KeychainSecretStore::remove(const QString &name)
{
    auto *job = new QKeychain::DeletePasswordJob(m_service);
    job->setKey(name);
    return run<QKeychain::DeletePasswordJob, void>(job, name, [](QKeychain::DeletePasswordJob *) { return Result<void>(); });
}

} // namespace tl
