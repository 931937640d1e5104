#include "EmptyState.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace tl {

EmptyState::EmptyState(QWidget *parent)
    : QWidget(parent)
{
    setObjectName(u"emptyState"_s);
    auto *title = new QLabel(tr("No LLM calls in the ledger yet"), this);
    title->setObjectName(u"emptyStateTitle"_s);
    QFont big = title->font();
    big.setPointSizeF(big.pointSizeF() * 1.6);
    big.setBold(true);
    title->setFont(big);
    title->setAlignment(Qt::AlignCenter);
    auto *text = new QLabel(
        tr("TokenLedger shows where your LLM API money goes. Get calls into the ledger in one of two ways:"
           "<ul><li><b>Import</b> a CSV or JSONL file, or a usage or cost report saved from the OpenAI or "
           "Anthropic Admin API (File ▸ Import…).</li>"
           "<li><b>Send your calls through the local proxy</b>: point your OpenAI or Anthropic client's base URL "
           "at TokenLedger and every call is recorded with its exact cost.</li></ul>"
           "From the command line: <code>tokenledger import --format csv FILE</code>."),
        this);
    text->setObjectName(u"emptyStateText"_s);
    text->setWordWrap(true);
    text->setTextFormat(Qt::RichText);
    // A fixed width (in font units, so it scales) and the height that width needs: word-wrapped rich text
    // in a centred layout otherwise gets its one-line height and is clipped.
    const int width = text->fontMetrics().averageCharWidth() * 80;
    text->setFixedWidth(width);
    text->setMinimumHeight(text->heightForWidth(width));
    auto *import = new QPushButton(tr("&Import a file…"), this);
    import->setObjectName(u"emptyStateImport"_s);
    import->setDefault(true);
    m_proxy = new QPushButton(tr("Set up the &proxy"), this);
    m_proxy->setObjectName(u"emptyStateProxy"_s);
    m_proxy->setVisible(false);
    connect(import, &QPushButton::clicked, this, &EmptyState::importRequested);
    connect(m_proxy, &QPushButton::clicked, this, &EmptyState::proxyRequested);

    auto *buttons = new QHBoxLayout;
    buttons->addStretch(1);
    buttons->addWidget(import);
    buttons->addWidget(m_proxy);
    buttons->addStretch(1);
    auto *column = new QVBoxLayout;
    column->addWidget(title);
    column->addSpacing(12);
    auto *centred = new QHBoxLayout;
    centred->addStretch(1);
    centred->addWidget(text);
    centred->addStretch(1);
    column->addLayout(centred);
    column->addSpacing(12);
    column->addLayout(buttons);
    auto *layout = new QVBoxLayout(this);
    layout->addStretch(1);
    layout->addLayout(column);
    layout->addStretch(2);
}

void EmptyState::setProxyAvailable(bool available)
{
    m_proxy->setVisible(available);
}

} // namespace tl
