#pragma once

#include <QWidget>

#include <functional>
#include <memory>

class QCheckBox;
class QComboBox;
class QLabel;
class QPlainTextEdit;
class QSpinBox;
class QTimer;

namespace tl {
class Pricer;
namespace tokenizer {
class Tokenizers;
}

// A small cost calculator for the Pricing page: paste a prompt, pick a model, see its prompt tokens
// (tiktoken-exact for OpenAI models, flagged estimate otherwise) and what one call would cost with an
// expected number of completion tokens, at the current prices (book + user overrides).
//
// Inputs come through the constructor: `pricer` returns the current shared Pricer (called on each
// recount, so price changes apply), `tokenizers` is the app's registry. Counting runs in the GUI
// thread, debounced; a 1 MB prompt takes tens of milliseconds. GUI thread only.
class CostCalculatorWidget final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CostCalculatorWidget)
public:
    CostCalculatorWidget(std::function<std::shared_ptr<const Pricer>()> pricer,
                         std::shared_ptr<const tokenizer::Tokenizers> tokenizers, QWidget *parent = nullptr);

    void setPrompt(const QString &text);
    void setModel(const QString &model);
    // Recounts now instead of after the debounce delay.
    void recalculate();

    qint64 promptTokens() const { return m_promptTokens; }
    // Calls behind the calibration factor applied to the last count (0: exact, or uncalibrated).
    int calibrationSamples() const { return m_calibrationSamples; }

Q_SIGNALS:
    void recalculated();

private:
    void scheduleRecalculation();
    void fillModels();

    std::function<std::shared_ptr<const Pricer>()> m_pricer;
    std::shared_ptr<const tokenizer::Tokenizers> m_tokenizers;
    QPlainTextEdit *m_prompt = nullptr;
    QComboBox *m_model = nullptr;
    QCheckBox *m_asChat = nullptr;
    QSpinBox *m_completion = nullptr;
    QLabel *m_tokens = nullptr;
    QLabel *m_cost = nullptr;
    QLabel *m_note = nullptr;
    QTimer *m_debounce = nullptr;
    qint64 m_promptTokens = 0;
    int m_calibrationSamples = 0;
};

} // namespace tl
