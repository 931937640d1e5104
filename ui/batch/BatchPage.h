#pragma once

#include "batch/BatchBuilder.h"

#include <QWidget>

#include <memory>

class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;
class QTableView;

namespace tl {

class BatchJobModel;
class BatchService;
class Ledger;
class Prompter;
namespace tokenizer {
class Tokenizers;
}

// The Batch page: build a job from a batch JSONL file or a CSV/text file plus a prompt template,
// see its estimated cost at batch and real-time prices, submit it, follow its progress, cancel it and
// save its results (JSONL or CSV). Logic lives in core (BatchBuilder, BatchService); on creation the
// page resumes polling every unfinished job. File dialogs go through the Prompter seam.
class BatchPage final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(BatchPage)

public:
    BatchPage(BatchService &service, Ledger &ledger, std::shared_ptr<const tokenizer::Tokenizers> tokenizers,
              std::shared_ptr<Prompter> prompter, QWidget *parent = nullptr);
    ~BatchPage() override;

private:
    void browse();
    bool buildRequests();
    void estimate();
    void submit();
    void cancelSelected();
    void saveSelected();
    void reload();
    void setStatus(const QString &text);

    BatchService &m_service;
    Ledger &m_ledger;
    std::shared_ptr<const tokenizer::Tokenizers> m_tokenizers;
    std::shared_ptr<Prompter> m_prompter;
    QList<BatchRequest> m_requests;

    QLineEdit *m_file = nullptr;
    QComboBox *m_provider = nullptr;
    QLineEdit *m_model = nullptr;
    QPlainTextEdit *m_system = nullptr;
    QLineEdit *m_template = nullptr;
    QLineEdit *m_textColumn = nullptr;
    QSpinBox *m_maxChars = nullptr;
    QSpinBox *m_maxTokens = nullptr;
    QLineEdit *m_endpoint = nullptr;
    QLabel *m_estimate = nullptr;
    QPushButton *m_submit = nullptr;
    QLabel *m_status = nullptr;
    BatchJobModel *m_model2 = nullptr;
    QTableView *m_table = nullptr;
};

} // namespace tl
