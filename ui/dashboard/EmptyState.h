#pragma once

#include <QWidget>

class QPushButton;

namespace tl {

// What a new user sees on an empty ledger: how to get data in (import a file, or send calls through
// the local proxy when that page exists).
class EmptyState final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EmptyState)

public:
    explicit EmptyState(QWidget *parent = nullptr);
    void setProxyAvailable(bool available);

Q_SIGNALS:
    void importRequested();
    void proxyRequested();

private:
    QPushButton *m_proxy;
};

} // namespace tl
