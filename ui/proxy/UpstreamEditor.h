#pragma once

#include "proxy/ProxyConfig.h"

#include <QJsonArray>
#include <QWidget>

class QComboBox;
class QLabel;
class QPushButton;
class QTableWidget;

namespace tl {

// The Proxy page's upstream table: one row per upstream (name, kind, base URL, keychain entry). The kind
// is chosen from the kinds the proxy knows (UpstreamKind; a combo box per row, labelled, the stored name
// as item data); rows are added with "Add" or the Insert key and removed with "Remove" or the Delete key
// (the table focused, no cell being edited). Each row is checked as it is edited: a missing or repeated
// name, an unknown kind (a settings file written by hand), a base URL without http:// or https:// or
// without a host; the cell gets a warning icon and the reason as tooltip, and the list under the table
// names row and reason. Holds no key: the keychain entry is only a name (keys: SecretStore).
// Thread affinity: GUI thread.
class UpstreamEditor final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UpstreamEditor)

public:
    enum Column { Name, Kind, BaseUrl, KeychainEntry, ColumnCount };

    explicit UpstreamEditor(QWidget *parent = nullptr);

    // Rows as Settings "proxy/upstreams" keeps them: [{"id", "kind", "baseUrl", "keychainEntry"}], the kind
    // by its name (toString(UpstreamKind)). setRows() does not emit edited().
    void setRows(const QJsonArray &rows);
    QJsonArray rows() const;
    // The rows as the proxy takes them (UpstreamConfig::defaults(kind) completed by the row; a row whose
    // kind is unknown counts as openai-compatible, and problems() says so).
    QList<UpstreamConfig> configs() const;
    // "Row 2 (openrouter): ..." for each row that cannot be used as it is; empty when all can.
    QStringList problems() const;
    int rowCount() const;
    int currentRow() const;
    QString keychainEntry(int row) const;

    // The labels the kind combo boxes show, e.g. "Azure OpenAI" for UpstreamKind::AzureOpenAi.
    static QString kindLabel(UpstreamKind kind);
    static const QList<UpstreamKind> &allKinds();

    // A new row of the first kind (OpenAI, Anthropic, OpenRouter, Azure, compatible) whose default name is
    // free, with that kind's default base URL, after the last row; its name cell becomes current.
    void addRow();
    // Removes the current row (its keychain key, if any, stays in the keychain).
    void removeCurrentRow();

Q_SIGNALS:
    // A row was added, removed or edited by the user.
    void edited();

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void insertRow(int row, const QString &id, const QString &kind, const QString &baseUrl, const QString &entry);
    QComboBox *kindCombo(int row) const;
    QString text(int row, int column) const;
    void kindChosen(QComboBox *combo);
    QStringList rowProblems(int row, QList<int> *columns) const;
    void check();

    QTableWidget *m_table = nullptr;
    QPushButton *m_add = nullptr;
    QPushButton *m_remove = nullptr;
    QLabel *m_problems = nullptr;
    bool m_checking = false;
};

} // namespace tl
