#include "orm/core/text_escape.h"

#include <algorithm>

namespace orm::text {
namespace {

// The QString form of a byte writer: text in UTF-8 through `append`, and back.
QString viaUtf8(const QString &text, void (*append)(std::string &, std::string_view))
{
    const QByteArray utf8 = text.toUtf8();
    std::string out;
    out.reserve(size_t(utf8.size()) + 2);
    append(out, std::string_view(utf8.constData(), size_t(utf8.size())));
    return QString::fromUtf8(out.data(), qsizetype(out.size()));
}

} // namespace

void appendJsonString(std::string &out, std::string_view utf8)
{
    static constexpr char kHex[] = "0123456789abcdef";
    out.push_back('"');
    for (const char ch : utf8) {
        const auto c = static_cast<unsigned char>(ch);
        switch (c) {
        case '"':
            out.append("\\\"");
            break;
        case '\\':
            out.append("\\\\");
            break;
        case '\n':
            out.append("\\n");
            break;
        case '\r':
            out.append("\\r");
            break;
        case '\t':
            out.append("\\t");
            break;
        default:
            if (c < 0x20) {
                const char escaped[] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xf]};
                out.append(escaped, sizeof escaped);
            } else {
                out.push_back(ch);
            }
        }
    }
    out.push_back('"');
}

void appendCsvField(std::string &out, std::string_view utf8)
{
    const bool quote = utf8.empty() || std::any_of(utf8.begin(), utf8.end(), [](char c) {
                           return c == ',' || c == '"' || c == '\n' || c == '\r';
                       });
    if (!quote) {
        out.append(utf8);
        return;
    }
    out.push_back('"');
    for (const char c : utf8) {
        if (c == '"')
            out.push_back('"');
        out.push_back(c);
    }
    out.push_back('"');
}

QString jsonString(const QString &text)
{
    return viaUtf8(text, appendJsonString);
}

QString csvField(const QString &text)
{
    return viaUtf8(text, appendCsvField);
}

} // namespace orm::text
