<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AppContext</name>
    <message>
        <source>TokenLedger</source>
        <translation>TokenLedger</translation>
    </message>
    <message>
        <source>Proxy</source>
        <translation>代理</translation>
    </message>
    <message>
        <source>Batch jobs</source>
        <translation>批量任务</translation>
    </message>
    <message>
        <source>Team spend</source>
        <translation>团队支出</translation>
    </message>
    <message>
        <source>Simulator</source>
        <translation>模拟器</translation>
    </message>
    <message>
        <source>Routing</source>
        <translation>路由</translation>
    </message>
</context>
<context>
    <name>QObject</name>
    <message>
        <source>routing.mode must be off, shadow or on</source>
        <translation>routing.mode 必须是 off、shadow 或 on</translation>
    </message>
    <message>
        <source>routing.router: %1</source>
        <translation>routing.router：%1</translation>
    </message>
    <message>
        <source>routing rule %1 has no "route_to" model</source>
        <translation>路由规则 %1 没有 "route_to" 模型</translation>
    </message>
    <message>
        <source>exact_cache.ttl_seconds must be positive</source>
        <translation>exact_cache.ttl_seconds 必须为正数</translation>
    </message>
    <message>
        <source>semantic_cache.threshold must be in (0, 1]</source>
        <translation>semantic_cache.threshold 必须在 (0, 1] 之间</translation>
    </message>
    <message>
        <source>semantic_cache.ttl_seconds must be positive</source>
        <translation>semantic_cache.ttl_seconds 必须为正数</translation>
    </message>
    <message>
        <source>compression.budget_tokens must be at least 100</source>
        <translation>compression.budget_tokens 至少为 100</translation>
    </message>
    <message>
        <source>endpoint %1: %2</source>
        <translation>端点 %1：%2</translation>
    </message>
    <message>
        <source>no request hashes in this range: imported calls carry no request content; calls recorded by the proxy do</source>
        <translation>此范围内没有请求哈希：导入的调用不含请求内容；代理记录的调用才有</translation>
    </message>
    <message>
        <source>a repeated request from the same caller within the TTL is served from the cache at no cost; the first answer is stored if it succeeded</source>
        <translation>同一调用方在 TTL 内的重复请求从缓存免费响应；第一次的回答在成功时被存储</translation>
    </message>
    <message>
        <source>no stored request embeddings in this range: imported calls carry no request text; calls recorded by the proxy do</source>
        <translation>此范围内没有已存储的请求嵌入：导入的调用不含请求文本；代理记录的调用才有</translation>
    </message>
    <message>
        <source>replayed with the live cache's matcher on the embeddings the proxy recorded: same caller, model, system prompt, parameters, earlier conversation and numbers/negations/quotes, similarity at or above the threshold, within the TTL</source>
        <translation>使用线上缓存的匹配器在代理记录的嵌入上重放：调用方、模型、系统提示、参数、先前对话以及数字/否定/引用均相同，相似度达到阈值，且在 TTL 内</translation>
    </message>
    <message>
        <source>each embedded request costs one call to %1 with the request's prompt tokens; similarities are those of the recorded local embeddings</source>
        <translation>每个被嵌入的请求按其提示 token 计一次 %1 调用的费用；相似度取自记录的本地嵌入</translation>
    </message>
    <message>
        <source>a conversation over the budget is sent with the budget's worth of prompt tokens, plus one summary call per request (input: the dropped tokens; output: 10% of the budget) on the summary model</source>
        <translation>超出预算的对话按预算的提示 token 发送，并在摘要模型上为每个请求加一次摘要调用（输入：删去的 token；输出：预算的 10%）</translation>
    </message>
    <message>
        <source>the complexity router needs the complexity the proxy records per call; these calls have none</source>
        <translation>复杂度路由器需要代理为每次调用记录的复杂度；这些调用没有</translation>
    </message>
    <message>
        <source>routed calls are re-priced on the target model with the same token counts; quality is not simulated</source>
        <translation>被路由的调用以相同的 token 数按目标模型重新计价；不模拟质量</translation>
    </message>
    <message>
        <source>calls of the listed endpoints are priced at the Batch API rate (the book's batch prices, else 50% of list) and tolerate a 24-hour turnaround</source>
        <translation>所列端点的调用按 Batch API 价格计价（价格表的批处理价格，否则为标价的 50%），并可接受 24 小时周转</translation>
    </message>
    <message>
        <source>Simulation failed: %1: %2</source>
        <translation>模拟失败：%1：%2</translation>
    </message>
    <message>
        <source>Simulation needs a ledger file; an in-memory database cannot be read by a second connection</source>
        <translation>模拟需要账本文件；内存数据库无法被第二个连接读取</translation>
    </message>
    <message>
        <source>Simulation failed: cannot open %1: %2</source>
        <translation>模拟失败：无法打开 %1：%2</translation>
    </message>
    <message>
        <source>Simulation failed: unexpected label id %1</source>
        <translation>模拟失败：意外的标签 ID %1</translation>
    </message>
    <message>
        <source>No Admin API key in the keychain: nothing to sync.</source>
        <translation>钥匙串中没有 Admin API 密钥：没有可同步的内容。</translation>
    </message>
    <message>
        <source>%1: failed, earlier data kept: %2</source>
        <translation>%1：失败，已保留之前的数据：%2</translation>
    </message>
    <message>
        <source>the admin key is empty</source>
        <translation>管理密钥为空</translation>
    </message>
    <message>
        <source>no Admin API for provider "%1"</source>
        <translation>提供商“%1”没有 Admin API</translation>
    </message>
    <message>
        <source>closed</source>
        <translation>已关闭</translation>
    </message>
    <message>
        <source>%1: fetching %2 to %3</source>
        <translation>%1：正在获取 %2 至 %3</translation>
    </message>
    <message>
        <source>%1 page %2</source>
        <translation>%1 第 %2 页</translation>
    </message>
    <message>
        <source>%1: HTTP %2: %3</source>
        <translation>%1：HTTP %2：%3</translation>
    </message>
    <message>
        <source>%1 is not a report page (no "data" array)</source>
        <translation>%1 不是报告页面（没有 "data" 数组）</translation>
    </message>
    <message>
        <source>%1 says it has more but gives no next_page</source>
        <translation>%1 表示还有更多数据，但没有提供 next_page</translation>
    </message>
    <message>
        <source>the ledger writer stopped</source>
        <translation>账本写入线程已停止</translation>
    </message>
    <message>
        <source>cannot save the sync state of %1</source>
        <translation>无法保存 %1 的同步状态</translation>
    </message>
    <message>
        <source>Database error: %1</source>
        <translation>数据库错误：%1</translation>
    </message>
    <message>
        <source>A key label can have at most %1 characters.</source>
        <translation>密钥标签最多 %1 个字符。</translation>
    </message>
    <message>
        <source>A key label cannot contain control characters.</source>
        <translation>密钥标签不能包含控制字符。</translation>
    </message>
    <message>
        <source>A key label must not contain an API key or text that looks like one (a word starting with "sk-", or 20 or more letters and digits in a row). Use a name such as "billing service".</source>
        <translation>密钥标签不能包含 API 密钥或看起来像密钥的文本（以“sk-”开头的词，或连续 20 个及以上的字母和数字）。请使用“计费服务”这样的名称。</translation>
    </message>
    <message>
        <source>Cannot read key labels: %1</source>
        <translation>无法读取密钥标签：%1</translation>
    </message>
    <message>
        <source>Cannot save the key label: %1</source>
        <translation>无法保存密钥标签：%1</translation>
    </message>
    <message>
        <source>No call in this ledger has the key identity "%1". Run `tokenledger report --by key` to list the identities.</source>
        <translation>此账本中没有密钥标识为“%1”的调用。运行 `tokenledger report --by key` 列出所有标识。</translation>
    </message>
    <message>
        <source>The embeddings answer is base64-encoded; request encoding_format "float".</source>
        <translation>嵌入接口的回答是 base64 编码的；请使用 encoding_format "float" 请求。</translation>
    </message>
    <message>
        <source>data[%1].embedding is missing or has fewer than 2 numbers.</source>
        <translation>data[%1].embedding 缺失或少于 2 个数。</translation>
    </message>
    <message>
        <source>data[%1].embedding contains a value that is not a number.</source>
        <translation>data[%1].embedding 含有不是数字的值。</translation>
    </message>
    <message>
        <source>data[%1].embedding is all zeros or not finite.</source>
        <translation>data[%1].embedding 全为零或不是有限值。</translation>
    </message>
    <message>
        <source>The embeddings answer is not a JSON object (%1).</source>
        <translation>嵌入接口的回答不是 JSON 对象（%1）。</translation>
    </message>
    <message>
        <source>The embeddings endpoint answered with an error: %1</source>
        <translation>嵌入接口返回错误：%1</translation>
    </message>
    <message>
        <source>The embeddings answer has no data[0].</source>
        <translation>嵌入接口的回答没有 data[0]。</translation>
    </message>
    <message>
        <source>The embeddings answer has %1 items for %2 inputs.</source>
        <translation>嵌入接口的回答有 %1 项，而输入有 %2 个。</translation>
    </message>
    <message>
        <source>The embeddings answer has a bad or repeated index %1.</source>
        <translation>嵌入接口的回答有错误或重复的索引 %1。</translation>
    </message>
    <message>
        <source>The request is %1 tokens long, over the %2-token input limit of %3; it is not embedded (never truncated), so the semantic cache skips it.</source>
        <translation>请求长 %1 个 token，超过 %3 的 %2 token 输入上限；它不会被嵌入（从不截断），因此语义缓存跳过它。</translation>
    </message>
    <message>
        <source>The folder of the semantic cache file %1 does not exist.</source>
        <translation>语义缓存文件 %1 所在的文件夹不存在。</translation>
    </message>
    <message>
        <source>Cannot open the semantic cache file %1</source>
        <translation>无法打开语义缓存文件 %1</translation>
    </message>
    <message>
        <source>The semantic cache file %1 is not readable (corrupt, or not a database); move it away to start an empty cache</source>
        <translation>语义缓存文件 %1 无法读取（已损坏或不是数据库）；将其移走即可从空缓存开始</translation>
    </message>
    <message>
        <source>The semantic cache file %1 was written by a newer TokenLedger (schema %2, this build knows %3).</source>
        <translation>语义缓存文件 %1 由更新版本的 TokenLedger 写入（架构 %2，本版本只认识 %3）。</translation>
    </message>
    <message>
        <source>Cannot prepare the semantic cache file %1</source>
        <translation>无法准备语义缓存文件 %1</translation>
    </message>
    <message>
        <source>Cannot expire semantic cache entries</source>
        <translation>无法使语义缓存条目过期</translation>
    </message>
    <message>
        <source>Cannot read the semantic cache</source>
        <translation>无法读取语义缓存</translation>
    </message>
    <message>
        <source>Cannot delete semantic cache entries</source>
        <translation>无法删除语义缓存条目</translation>
    </message>
    <message>
        <source>Cannot record a semantic cache hit</source>
        <translation>无法记录语义缓存命中</translation>
    </message>
    <message>
        <source>Cannot read a semantic cache entry</source>
        <translation>无法读取语义缓存条目</translation>
    </message>
    <message>
        <source>No embedding to store.</source>
        <translation>没有可存储的嵌入向量。</translation>
    </message>
    <message>
        <source>The semantic cache TTL must be positive.</source>
        <translation>语义缓存的 TTL 必须为正数。</translation>
    </message>
    <message>
        <source>The answer (%1 bytes) is larger than the semantic cache limit (%2 bytes).</source>
        <translation>回答（%1 字节）超过语义缓存的上限（%2 字节）。</translation>
    </message>
    <message>
        <source>Cannot store a semantic cache entry</source>
        <translation>无法存储语义缓存条目</translation>
    </message>
    <message>
        <source>The embedding could not be indexed.</source>
        <translation>无法为该嵌入向量建立索引。</translation>
    </message>
    <message>
        <source>Semantic cache entry %1 no longer exists (expired, evicted or already removed).</source>
        <translation>语义缓存条目 %1 已不存在（已过期、被淘汰或已删除）。</translation>
    </message>
    <message>
        <source>Cannot remember semantic hit: record %1, entry %2</source>
        <translation>无法记住语义命中：记录 %1，条目 %2</translation>
    </message>
    <message>
        <source>Cannot remember a semantic cache hit</source>
        <translation>无法记住语义缓存命中</translation>
    </message>
    <message>
        <source>Record %1 has no semantic cache entry to remove: it was not answered by the semantic cache, or its entry has expired, been evicted or already been removed.</source>
        <translation>记录 %1 没有可删除的语义缓存条目：它不是由语义缓存回答的，或其条目已过期、被淘汰或已删除。</translation>
    </message>
    <message>
        <source>Cannot clear the semantic cache</source>
        <translation>无法清空语义缓存</translation>
    </message>
    <message>
        <source>The request contains non-text content (%1); the semantic cache only compares text.</source>
        <translation>请求含有非文本内容（%1）；语义缓存只比较文本。</translation>
    </message>
    <message>
        <source>A message content is neither a string nor an array of parts.</source>
        <translation>某条消息的内容既不是字符串，也不是内容片段数组。</translation>
    </message>
    <message>
        <source>A message content is neither a string nor an array of blocks.</source>
        <translation>某条消息的内容既不是字符串，也不是内容块数组。</translation>
    </message>
    <message>
        <source>The request has no "model".</source>
        <translation>请求没有 "model"。</translation>
    </message>
    <message>
        <source>The request has no "messages" array.</source>
        <translation>请求没有 "messages" 数组。</translation>
    </message>
    <message>
        <source>The request does not end with a user message.</source>
        <translation>请求不是以用户消息结尾。</translation>
    </message>
    <message>
        <source>The final user message carries tool results; the semantic cache skips it.</source>
        <translation>最后一条用户消息带有工具结果；语义缓存跳过它。</translation>
    </message>
    <message>
        <source>The final user message has no text.</source>
        <translation>最后一条用户消息没有文本。</translation>
    </message>
    <message>
        <source>Cannot read recorded calls: %1</source>
        <translation>无法读取已记录的调用：%1</translation>
    </message>
    <message>
        <source>context window of %1 unknown</source>
        <translation>%1 的上下文窗口未知</translation>
    </message>
    <message>
        <source>prompt tokens unknown: cannot check %1's context window</source>
        <translation>提示 token 数未知：无法检查 %1 的上下文窗口</translation>
    </message>
    <message>
        <source>%1 tokens (prompt + max output) exceed %2's context window of %3</source>
        <translation>%1 个 token（提示 + 最大输出）超过 %2 的上下文窗口 %3</translation>
    </message>
    <message>
        <source>%1 lacks image input</source>
        <translation>%1 不支持图像输入</translation>
    </message>
    <message>
        <source>%1 lacks audio</source>
        <translation>%1 不支持音频</translation>
    </message>
    <message>
        <source>%1 lacks tools</source>
        <translation>%1 不支持工具</translation>
    </message>
    <message>
        <source>%1 lacks structured output</source>
        <translation>%1 不支持结构化输出</translation>
    </message>
    <message>
        <source>the client pinned the model (X-TokenLedger-Route: off)</source>
        <translation>客户端固定了模型（X-TokenLedger-Route: off）</translation>
    </message>
    <message>
        <source>no routing rule matched (the complexity router is not in force)</source>
        <translation>没有匹配的路由规则（复杂度路由器未启用）</translation>
    </message>
    <message>
        <source>routing is off for endpoint "%1"</source>
        <translation>端点“%1”的路由已关闭</translation>
    </message>
    <message>
        <source>the rule routes to %1 of provider "%2"; a %3 request goes to its own upstream</source>
        <translation>该规则路由到提供商“%2”的 %1；%3 请求只会发往自己的上游</translation>
    </message>
    <message>
        <source>%1 is not a %2 model the price book knows (or is fine-tuned): never replaced</source>
        <translation>%1 不是价格表中已知的 %2 模型（或是微调模型）：从不替换</translation>
    </message>
    <message>
        <source>no input/output price for %1: the rule cannot be priced</source>
        <translation>%1 没有输入/输出价格：无法为该规则计价</translation>
    </message>
    <message>
        <source>no tiers configured for provider family "%1"</source>
        <translation>提供商系列“%1”没有配置档位</translation>
    </message>
    <message>
        <source>the %1 tier is the requested model</source>
        <translation>%1 档位就是请求的模型</translation>
    </message>
    <message>
        <source>no input/output price for %1: cannot show the change saves money</source>
        <translation>%1 没有输入/输出价格：无法证明切换能省钱</translation>
    </message>
    <message>
        <source>%1 is not cheaper than %2 (complexity %3 maps to the %4 tier)</source>
        <translation>%1 并不比 %2 便宜（复杂度 %3 对应 %4 档位）</translation>
    </message>
    <message>
        <source>%1: expected an array of strings</source>
        <translation>%1：应为字符串数组</translation>
    </message>
    <message>
        <source>%1[%2]: expected a non-empty string</source>
        <translation>%1[%2]：应为非空字符串</translation>
    </message>
    <message>
        <source>%1.%2: expected a non-negative integer</source>
        <translation>%1.%2：应为非负整数</translation>
    </message>
    <message>
        <source>any model</source>
        <translation>任意模型</translation>
    </message>
    <message>
        <source>endpoints %1</source>
        <translation>端点 %1</translation>
    </message>
    <message>
        <source>task types %1</source>
        <translation>任务类型 %1</translation>
    </message>
    <message>
        <source>&lt;= %1 prompt tokens</source>
        <translation>提示 token ≤ %1</translation>
    </message>
    <message>
        <source>max tokens &lt;= %1</source>
        <translation>最大 token ≤ %1</translation>
    </message>
    <message>
        <source>&lt;= %1 prompt characters</source>
        <translation>提示字符 ≤ %1</translation>
    </message>
    <message>
        <source>%1 (provider %2)</source>
        <translation>%1（提供商 %2）</translation>
    </message>
    <message>
        <source>%1 -&gt; %2</source>
        <translation>%1 → %2</translation>
    </message>
    <message>
        <source>%1.name: a rule needs a non-empty name</source>
        <translation>%1.name：规则需要非空名称</translation>
    </message>
    <message>
        <source>%1.complexity: unknown complexity "%2" (expected low, medium or high)</source>
        <translation>%1.complexity：未知复杂度“%2”（应为 low、medium 或 high）</translation>
    </message>
    <message>
        <source>router config version %1 is newer than this build understands (%2)</source>
        <translation>路由配置版本 %1 比本版本能理解的版本（%2）更新</translation>
    </message>
    <message>
        <source>%1: expected an object</source>
        <translation>%1：应为对象</translation>
    </message>
    <message>
        <source>%1.model: a tier needs a model name</source>
        <translation>%1.model：档位需要模型名称</translation>
    </message>
    <message>
        <source>%1.capabilities: unknown capability "%2" (expected images, audio, tools, structured_output)</source>
        <translation>%1.capabilities：未知能力“%2”（应为 images、audio、tools、structured_output）</translation>
    </message>
    <message>
        <source>%1.%2: missing (a new family needs all three tiers)</source>
        <translation>%1.%2：缺失（新的提供商系列需要全部三个档位）</translation>
    </message>
    <message>
        <source>complexity_tiers.%1: expected low|medium|high mapped to nano|standard|premium</source>
        <translation>complexity_tiers.%1：应为 low|medium|high 映射到 nano|standard|premium</translation>
    </message>
    <message>
        <source>%1.mode: unknown mode "%2" (expected off, shadow or on)</source>
        <translation>%1.mode：未知模式“%2”（应为 off、shadow 或 on）</translation>
    </message>
    <message>
        <source>%1.rules: expected an array</source>
        <translation>%1.rules：应为数组</translation>
    </message>
    <message>
        <source>not valid JSON (%1 at column %2)</source>
        <translation>不是有效的 JSON（第 %2 列：%1）</translation>
    </message>
    <message>
        <source>few-shot store version %1 is newer than this build understands (%2)</source>
        <translation>少样本示例库版本 %1 比本版本能理解的版本（%2）更新</translation>
    </message>
    <message>
        <source>few-shot store: "sets" must be an array</source>
        <translation>少样本示例库："sets" 必须是数组</translation>
    </message>
    <message>
        <source>few-shot store: sets[%1] has no name</source>
        <translation>少样本示例库：sets[%1] 没有名称</translation>
    </message>
    <message>
        <source>few-shot store: the set name "%1" is used twice</source>
        <translation>少样本示例库：示例集名称“%1”被使用了两次</translation>
    </message>
    <message>
        <source>few-shot store: sets[%1].examples[%2] needs string input and output</source>
        <translation>少样本示例库：sets[%1].examples[%2] 需要字符串类型的输入和输出</translation>
    </message>
    <message>
        <source>cannot read the few-shot store %1: %2</source>
        <translation>无法读取少样本示例库 %1：%2</translation>
    </message>
    <message>
        <source>the few-shot store %1 is not a JSON object (%2)</source>
        <translation>少样本示例库 %1 不是 JSON 对象（%2）</translation>
    </message>
    <message>
        <source>cannot write the few-shot store %1: %2</source>
        <translation>无法写入少样本示例库 %1：%2</translation>
    </message>
    <message>
        <source>history trimming does not handle Responses API bodies</source>
        <translation>历史裁剪不处理 Responses API 请求体</translation>
    </message>
    <message>
        <source>the compression budget must be a positive number of tokens</source>
        <translation>压缩预算必须是正数个 token</translation>
    </message>
    <message>
        <source>the kept share of the budget must be in (0, 1]</source>
        <translation>预算的保留比例必须在 (0, 1] 之间</translation>
    </message>
    <message>
        <source>over budget, but the system prompt, tools and the last turn leave nothing to drop</source>
        <translation>超出预算，但系统提示、工具和最后一轮之外没有可丢弃的内容</translation>
    </message>
    <message>
        <source>the system prompt, tools and the last turn alone exceed the budget; trimmed as far as possible</source>
        <translation>仅系统提示、工具和最后一轮就超出预算；已尽可能裁剪</translation>
    </message>
    <message>
        <source>the summary model's answer has no text</source>
        <translation>摘要模型的回答没有文本</translation>
    </message>
    <message>
        <source>the summary cache already has a database</source>
        <translation>摘要缓存已经有数据库</translation>
    </message>
    <message>
        <source>cannot open the summary cache %1</source>
        <translation>无法打开摘要缓存 %1</translation>
    </message>
    <message>
        <source>cannot create the summary cache table in %1</source>
        <translation>无法在 %1 中创建摘要缓存表</translation>
    </message>
    <message>
        <source>cannot store a conversation summary</source>
        <translation>无法存储对话摘要</translation>
    </message>
    <message>
        <source>cannot trim the summary cache</source>
        <translation>无法裁剪摘要缓存</translation>
    </message>
    <message>
        <source>Simulation failed: call %1 is in call_replay but not in calls</source>
        <translation>模拟失败：调用 %1 在 call_replay 中，但不在 calls 中</translation>
    </message>
    <message>
        <source>Simulation failed: unreadable call_replay row for call %1</source>
        <translation>模拟失败：调用 %1 的 call_replay 行无法读取</translation>
    </message>
    <message>
        <source>HTTP %1 (%2)</source>
        <translation>HTTP %1（%2）</translation>
    </message>
    <message>
        <source>%1 failed after %2 tries: %3</source>
        <translation>%1 在尝试 %2 次后失败：%3</translation>
    </message>
    <message>
        <source>line %1 is not a JSON object (%2)</source>
        <translation>第 %1 行不是 JSON 对象（%2）</translation>
    </message>
    <message>
        <source>line %1 has no custom_id</source>
        <translation>第 %1 行没有 custom_id</translation>
    </message>
    <message>
        <source>line %1 repeats custom_id "%2"; each must be unique</source>
        <translation>第 %1 行重复了 custom_id“%2”；每个 custom_id 必须唯一</translation>
    </message>
    <message>
        <source>line %1: method must be POST</source>
        <translation>第 %1 行：method 必须为 POST</translation>
    </message>
    <message>
        <source>line %1 has no url</source>
        <translation>第 %1 行没有 url</translation>
    </message>
    <message>
        <source>line %1: the body has no model</source>
        <translation>第 %1 行：body 中没有 model</translation>
    </message>
    <message>
        <source>cannot start the CSV reader</source>
        <translation>无法启动 CSV 读取器</translation>
    </message>
    <message>
        <source>malformed CSV: %1</source>
        <translation>CSV 格式错误：%1</translation>
    </message>
    <message>
        <source>the CSV file has no data rows</source>
        <translation>CSV 文件没有数据行</translation>
    </message>
    <message>
        <source>the CSV file has no column "%1" (columns: %2)</source>
        <translation>CSV 文件没有“%1”列（现有列：%2）</translation>
    </message>
    <message>
        <source>the CSV file has no column "%1"</source>
        <translation>CSV 文件没有“%1”列</translation>
    </message>
    <message>
        <source>row %1: the id "%2" is empty or repeated</source>
        <translation>第 %1 行：id“%2”为空或重复</translation>
    </message>
    <message>
        <source>the text file has no non-empty line</source>
        <translation>文本文件没有非空行</translation>
    </message>
    <message>
        <source>no tokenizer for %1: %2</source>
        <translation>%1 没有分词器：%2</translation>
    </message>
    <message numerus="yes">
        <source>%1: prompt tokens estimated with %2, calibrated x%3 from %n recorded call(s)</source>
        <translation><numerusform>%1：提示 token 用 %2 估算，已按 %n 次已记录调用校准为 x%3</numerusform></translation>
    </message>
    <message>
        <source>%1: prompt tokens estimated with %2, uncalibrated</source>
        <translation>%1：提示 token 用 %2 估算，未校准</translation>
    </message>
    <message numerus="yes">
        <source>%n request(s) set no output cap; their output is not in the estimate</source>
        <translation><numerusform>%n 个请求未设置输出上限；估算中不含它们的输出</numerusform></translation>
    </message>
    <message>
        <source>Filling in the Batch API savings failed: %1</source>
        <translation>补填 Batch API 节省金额失败：%1</translation>
    </message>
    <message>
        <source>%1: the answer is not a JSON object (%2)</source>
        <translation>%1：响应不是 JSON 对象（%2）</translation>
    </message>
    <message>
        <source>a batch needs at least one request</source>
        <translation>批处理任务至少需要一个请求</translation>
    </message>
    <message>
        <source>request %1 goes to %2, the others to %3; an OpenAI batch has one endpoint</source>
        <translation>请求 %1 发往 %2，其他请求发往 %3；一个 OpenAI 批处理任务只能有一个端点</translation>
    </message>
    <message>
        <source>OpenAI batch file upload</source>
        <translation>OpenAI 批处理文件上传</translation>
    </message>
    <message>
        <source>OpenAI batch creation</source>
        <translation>OpenAI 批处理任务创建</translation>
    </message>
    <message>
        <source>Anthropic message batch creation</source>
        <translation>Anthropic 消息批处理任务创建</translation>
    </message>
    <message>
        <source>the provider answered without a batch id</source>
        <translation>提供商的响应中没有批处理任务 id</translation>
    </message>
    <message>
        <source>the batch service was closed</source>
        <translation>批处理服务已关闭</translation>
    </message>
    <message>
        <source>no batch job %1</source>
        <translation>没有批处理任务 %1</translation>
    </message>
    <message>
        <source>OpenAI batch status</source>
        <translation>OpenAI 批处理任务状态</translation>
    </message>
    <message>
        <source>Anthropic message batch status</source>
        <translation>Anthropic 消息批处理任务状态</translation>
    </message>
    <message>
        <source>batch job %1 vanished while recording</source>
        <translation>记录期间批处理任务 %1 消失了</translation>
    </message>
    <message>
        <source>OpenAI batch file %1 download</source>
        <translation>OpenAI 批处理文件 %1 下载</translation>
    </message>
    <message>
        <source>Anthropic message batch results download</source>
        <translation>Anthropic 消息批处理结果下载</translation>
    </message>
    <message>
        <source>cannot start a transaction</source>
        <translation>无法开始事务</translation>
    </message>
    <message>
        <source>cannot commit the batch results</source>
        <translation>无法提交批处理结果</translation>
    </message>
    <message>
        <source>OpenAI batch cancel</source>
        <translation>OpenAI 批处理任务取消</translation>
    </message>
    <message>
        <source>Anthropic message batch cancel</source>
        <translation>Anthropic 消息批处理任务取消</translation>
    </message>
    <message>
        <source>%1 is not a provider report page (no "data" array)</source>
        <translation>%1 不是提供商报告页面（没有 "data" 数组）</translation>
    </message>
    <message>
        <source>page %1 bucket %2 has no valid start time</source>
        <translation>第 %1 页第 %2 个时间桶没有有效的开始时间</translation>
    </message>
    <message>
        <source>line item "%1" has no readable amount</source>
        <translation>费用项“%1”没有可读取的金额</translation>
    </message>
    <message>
        <source>currency %1 is not USD</source>
        <translation>货币 %1 不是美元</translation>
    </message>
    <message>
        <source>amount "%1" is not a decimal number of cents</source>
        <translation>金额“%1”不是以美分为单位的十进制数</translation>
    </message>
    <message>
        <source>not a report format</source>
        <translation>不是报告格式</translation>
    </message>
    <message>
        <source>unknown strategy "%1" (known: %2)</source>
        <translation>未知策略“%1”（已知：%2）</translation>
    </message>
    <message>
        <source>routing rule %1: "%2" must be a whole number of at least 0</source>
        <translation>路由规则 %1：“%2”必须是不小于 0 的整数</translation>
    </message>
    <message numerus="yes">
        <source>%n call(s) matched a rule routing to %1, which the price book cannot price for them: they keep their recorded cost (no saving counted)</source>
        <translation><numerusform>%n 次调用匹配了路由到 %1 的规则，但价格表无法为这些调用定价：它们保留记录的费用（不计节省）</numerusform></translation>
    </message>
    <message>
        <source>needs conversations (two or more messages): the calls in this range have none (the proxy records each call's message count; imported calls carry none)</source>
        <translation>需要对话（两条或更多消息）：此范围内的调用都不是对话（代理会记录每次调用的消息数；导入的调用没有）</translation>
    </message>
    <message>
        <source>"%1" must be %2</source>
        <translation>“%1”必须是%2</translation>
    </message>
    <message>
        <source>"%1" must be an object</source>
        <translation>“%1”必须是对象</translation>
    </message>
    <message>
        <source>endpoint %1: the overrides must be an object of strategies</source>
        <translation>端点 %1：覆盖设置必须是由策略组成的对象</translation>
    </message>
    <message>
        <source>storing the %1 report stopped: %2</source>
        <translation>保存 %1 报告已停止：%2</translation>
    </message>
    <message>
        <source>no "model" (was the report grouped by model?): stored as model "unknown", unpriced</source>
        <translation>没有 "model"（报告是否按模型分组？）：以模型 "unknown" 保存，未定价</translation>
    </message>
    <message>
        <source>%1 missing (the API reference says every line has it): the line is skipped, not counted as 0</source>
        <translation>缺少 %1（API 参考说明每一行都有该字段）：已跳过这一行，而不是按 0 计</translation>
    </message>
    <message>
        <source>there are no calls in this range: choose a longer range, or import or record calls first</source>
        <translation>此时间范围内没有调用：请选择更长的范围，或先导入或记录调用</translation>
    </message>
    <message>
        <source>The results of batch %1 could not be written to the ledger %2 (%3): %4 of %5 records stored. Nothing is lost: the provider keeps the results, and the job is recorded when TokenLedger next starts with space free (its Batch jobs page resumes it).</source>
        <translation>批量任务 %1 的结果无法写入账本 %2（%3）：已存储 %5 条记录中的 %4 条。没有数据丢失：提供商保留着结果，TokenLedger 下次在有可用空间时启动后会记录该任务（其“批量任务”页面会恢复它）。</translation>
    </message>
    <message numerus="yes">
        <source>%n call(s) were billed for %1: routed, they are re-priced at the target model's per-search price; a target the price data gives no per-search price leaves the call unrouted</source>
        <translation><numerusform>%n 次调用计费了 %1：路由后按目标模型的单次搜索价格重新计价；价格数据中没有单次搜索价格的目标不会路由该调用</numerusform></translation>
    </message>
    <message numerus="yes">
        <source>%n server-side web search(es)</source>
        <translation><numerusform>%n 次服务端网页搜索</numerusform></translation>
    </message>
    <message>
        <source>%1: %2, %3, %4 replaced</source>
        <translation>%1：%2，%3，替换 %4 条</translation>
    </message>
    <message numerus="yes">
        <source>%n page(s)</source>
        <translation><numerusform>%n 页</numerusform></translation>
    </message>
    <message numerus="yes">
        <source>%n record(s) added</source>
        <translation><numerusform>新增 %n 条记录</numerusform></translation>
    </message>
    <message numerus="yes">
        <source>%n call(s) on %1 stay at their price: TokenLedger knows no Batch API of that provider (it knows those of OpenAI, Anthropic, Google, Azure OpenAI and Mistral, and a price override with batch prices)</source>
        <translation><numerusform>%1 上的 %n 次调用保持原价：TokenLedger 不知道该提供商有 Batch API（已知 OpenAI、Anthropic、Google、Azure OpenAI 和 Mistral 的 Batch API，以及带批处理价格的价格覆盖）</numerusform></translation>
    </message>
    <message>
        <source>calls without a provider</source>
        <translation>无提供商的调用</translation>
    </message>
</context>
<context>
    <name>RoutingPolicyStore</name>
    <message>
        <source>The stored router of “%1” cannot be read (%2); the defaults are shown.</source>
        <translation>无法读取“%1”已保存的路由器（%2）；显示的是默认设置。</translation>
    </message>
    <message>
        <source>other endpoints</source>
        <translation>其他端点</translation>
    </message>
    <message>
        <source>Endpoint “%1” had its own tiers in the stored policy; saving gives it the tiers shown here.</source>
        <translation>端点“%1”在已保存的策略中有自己的层级；保存后将使用此处显示的层级。</translation>
    </message>
    <message>
        <source>The stored savings policy is not a JSON object: %1</source>
        <translation>已保存的节省策略不是 JSON 对象：%1</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <source>Ledger database file.</source>
        <translation>账本数据库文件。</translation>
    </message>
</context>
<context>
    <name>tl::AliasDialog</name>
    <message>
        <source>Model alias</source>
        <translation>模型别名</translation>
    </message>
    <message>
        <source>e.g. an Azure deployment name</source>
        <translation>例如 Azure 部署名称</translation>
    </message>
    <message>
        <source>&amp;Name as reported:</source>
        <translation>上报的名称(&amp;N)：</translation>
    </message>
    <message>
        <source>&amp;Provider:</source>
        <translation>提供商(&amp;P)：</translation>
    </message>
    <message>
        <source>Priced as &amp;model:</source>
        <translation>按此模型计价(&amp;M)：</translation>
    </message>
</context>
<context>
    <name>tl::AliasesModel</name>
    <message>
        <source>any</source>
        <translation>任意</translation>
    </message>
    <message>
        <source>Name as reported</source>
        <translation>上报的名称</translation>
    </message>
    <message>
        <source>Provider</source>
        <translation>提供商</translation>
    </message>
    <message>
        <source>Priced as model</source>
        <translation>按此模型计价</translation>
    </message>
</context>
<context>
    <name>tl::ApplyToProxyDialog</name>
    <message>
        <source>Apply to proxy</source>
        <translation>应用到代理</translation>
    </message>
    <message>
        <source>&amp;Endpoints:</source>
        <translation>端点(&amp;E)：</translation>
    </message>
    <message>
        <source>&amp;Apply</source>
        <translation>应用(&amp;A)</translation>
    </message>
    <message>
        <source>The scenario turns no strategy on (before endpoint overrides).</source>
        <translation>此场景未开启任何策略（不计端点覆盖）。</translation>
    </message>
    <message numerus="yes">
        <source>Strategies on (before endpoint overrides): %1. %n endpoint(s) checked.</source>
        <translation><numerusform>已开启的策略（不计端点覆盖）：%1。已勾选 %n 个端点。</numerusform></translation>
    </message>
    <message>
        <source>The local proxy turns this scenario's strategies on for the checked endpoints. Strategies the scenario leaves off, and the endpoints left unchecked, keep their current settings (the Routing and Proxy pages show them).</source>
        <translation>本地代理将为勾选的端点开启此场景的策略。场景中未开启的策略以及未勾选的端点保持当前设置（可在“路由”和“代理”页面查看）。</translation>
    </message>
</context>
<context>
    <name>tl::BatchJobModel</name>
    <message>
        <source>OpenAI</source>
        <translation>OpenAI</translation>
    </message>
    <message>
        <source>Anthropic</source>
        <translation>Anthropic</translation>
    </message>
    <message>
        <source>%1 (recorded)</source>
        <translation>%1（已记录）</translation>
    </message>
    <message>
        <source>%1 / %2</source>
        <translation>%1 / %2</translation>
    </message>
    <message>
        <source>Provider</source>
        <translation>提供商</translation>
    </message>
    <message>
        <source>Job</source>
        <translation>任务</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>完成</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>Endpoint</source>
        <translation>端点</translation>
    </message>
    <message>
        <source>Created</source>
        <translation>创建时间</translation>
    </message>
</context>
<context>
    <name>tl::BatchPage</name>
    <message>
        <source>Batch JSONL, CSV or text file</source>
        <translation>批量 JSONL、CSV 或文本文件</translation>
    </message>
    <message>
        <source>Input:</source>
        <translation>输入：</translation>
    </message>
    <message>
        <source>OpenAI Batch API</source>
        <translation>OpenAI Batch API</translation>
    </message>
    <message>
        <source>Anthropic Message Batches</source>
        <translation>Anthropic Message Batches</translation>
    </message>
    <message>
        <source>Provider:</source>
        <translation>提供商：</translation>
    </message>
    <message>
        <source>Model (CSV/text):</source>
        <translation>模型（CSV/文本）：</translation>
    </message>
    <message>
        <source>System prompt (optional)</source>
        <translation>系统提示词（可选）</translation>
    </message>
    <message>
        <source>System prompt:</source>
        <translation>系统提示词：</translation>
    </message>
    <message>
        <source>{text} is the text column (cut to the character limit); {column} is any CSV column.</source>
        <translation>{text} 是文本列（按字符上限截断）；{column} 可以是任意 CSV 列。</translation>
    </message>
    <message>
        <source>Prompt template:</source>
        <translation>提示词模板：</translation>
    </message>
    <message>
        <source>Text column (CSV):</source>
        <translation>文本列（CSV）：</translation>
    </message>
    <message>
        <source>Max output tokens:</source>
        <translation>最大输出 token：</translation>
    </message>
    <message>
        <source>Ledger endpoint:</source>
        <translation>账本端点：</translation>
    </message>
    <message>
        <source>Polling stopped: %1</source>
        <translation>已停止轮询：%1</translation>
    </message>
    <message>
        <source>Batch input</source>
        <translation>批量输入</translation>
    </message>
    <message>
        <source>Batch input (*.jsonl *.csv *.txt);;All files (*)</source>
        <translation>批量输入 (*.jsonl *.csv *.txt);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Cannot read %1: %2</source>
        <translation>无法读取 %1：%2</translation>
    </message>
    <message numerus="yes">
        <source>%n request(s); %1 prompt tokens, up to %2 output tokens.</source>
        <translation><numerusform>%n 个请求；提示 token %1 个，输出 token 最多 %2 个。</numerusform></translation>
    </message>
    <message>
        <source>Estimated cost: %1 with the Batch API, %2 at real-time prices.</source>
        <translation>估算费用：使用 Batch API 为 %1，按实时价格为 %2。</translation>
    </message>
    <message>
        <source>Unpriced models: %1.</source>
        <translation>未定价模型：%1。</translation>
    </message>
    <message>
        <source>(Token counts are estimates.)</source>
        <translation>（token 数为估算值。）</translation>
    </message>
    <message numerus="yes">
        <source>Submitting %n request(s)…</source>
        <translation><numerusform>正在提交 %n 个请求…</numerusform></translation>
    </message>
    <message>
        <source>Submit failed: %1</source>
        <translation>提交失败：%1</translation>
    </message>
    <message>
        <source>Batch %1 submitted.</source>
        <translation>批量任务 %1 已提交。</translation>
    </message>
    <message>
        <source>Batch %1: %2.</source>
        <translation>批量任务 %1：%2。</translation>
    </message>
    <message>
        <source>Cancel failed: %1</source>
        <translation>取消失败：%1</translation>
    </message>
    <message>
        <source>Save batch results</source>
        <translation>保存批量结果</translation>
    </message>
    <message>
        <source>JSON Lines (*.jsonl);;CSV (*.csv)</source>
        <translation>JSON Lines (*.jsonl);;CSV (*.csv)</translation>
    </message>
    <message>
        <source>Cannot write %1: %2</source>
        <translation>无法写入 %1：%2</translation>
    </message>
    <message numerus="yes">
        <source>%n result(s) saved to %1.</source>
        <translation><numerusform>已将 %n 条结果保存到 %1。</numerusform></translation>
    </message>
    <message>
        <source>No batch jobs yet. Choose a JSONL file of requests, or a CSV or text file with a prompt template, press &lt;b&gt;Estimate&lt;/b&gt; to see the cost at batch and real-time prices, then &lt;b&gt;Submit&lt;/b&gt;. OpenAI and Anthropic bill batch jobs at half the list price and answer within 24 hours; jobs keep being polled across restarts, and each result becomes a ledger record.</source>
        <translation>还没有批处理任务。选择一个请求的 JSONL 文件，或带提示模板的 CSV/文本文件，点击&lt;b&gt;估算&lt;/b&gt;查看按批处理价格和实时价格计算的费用，然后点击&lt;b&gt;提交&lt;/b&gt;。OpenAI 和 Anthropic 对批处理任务按标价的一半计费，并在 24 小时内返回结果；应用重启后会继续轮询任务，每条结果都会成为一条账本记录。</translation>
    </message>
    <message>
        <source>&amp;Browse…</source>
        <translation>浏览(&amp;B)…</translation>
    </message>
    <message>
        <source>&amp;Estimate</source>
        <translation>估算(&amp;E)</translation>
    </message>
    <message>
        <source>S&amp;ubmit batch</source>
        <translation>提交批量任务(&amp;U)</translation>
    </message>
    <message>
        <source>&amp;Cancel job</source>
        <translation>取消任务(&amp;C)</translation>
    </message>
    <message>
        <source>Save &amp;results…</source>
        <translation>保存结果(&amp;R)…</translation>
    </message>
    <message>
        <source> characters</source>
        <translation> 个字符</translation>
    </message>
    <message>
        <source>{text} gets this many characters from the start of each row's text column (or line); the rest of a longer text is left out of the request.</source>
        <translation>{text} 取每行文本列（或每行）开头的这么多字符；更长文本的其余部分不放进请求。</translation>
    </message>
    <message>
        <source>Text kept per row:</source>
        <translation>每行保留的文本：</translation>
    </message>
</context>
<context>
    <name>tl::BreakdownModel</name>
    <message numerus="yes">
        <source>%n call(s) in this row have no price; the cost covers priced calls only.</source>
        <translation><numerusform>此行有 %n 次调用没有价格；费用只包含已定价的调用。</numerusform></translation>
    </message>
    <message>
        <source>unpriced</source>
        <translation>未定价</translation>
    </message>
    <message>
        <source>Input tokens read from the provider's prompt cache (part of prompt tokens)</source>
        <translation>从提供商提示缓存读取的输入 token（包含在提示 token 中）</translation>
    </message>
    <message>
        <source>Reasoning tokens (part of completion tokens, billed once as output)</source>
        <translation>推理 token（包含在补全 token 中，按输出计费一次）</translation>
    </message>
    <message>
        <source>95th percentile of the total latency</source>
        <translation>总延迟的第 95 百分位</translation>
    </message>
    <message>
        <source>Running share of the cost, highest rows first</source>
        <translation>费用的累计占比，按费用从高到低</translation>
    </message>
    <message>
        <source>Endpoint</source>
        <translation>端点</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Calls</source>
        <translation>调用次数</translation>
    </message>
    <message>
        <source>Prompt tokens</source>
        <translation>提示 token</translation>
    </message>
    <message>
        <source>Cached tokens</source>
        <translation>缓存 token</translation>
    </message>
    <message>
        <source>Completion tokens</source>
        <translation>补全 token</translation>
    </message>
    <message>
        <source>Reasoning tokens</source>
        <translation>推理 token</translation>
    </message>
    <message>
        <source>Cost</source>
        <translation>费用</translation>
    </message>
    <message>
        <source>Cost / 1k calls</source>
        <translation>每千次调用费用</translation>
    </message>
    <message>
        <source>Avg latency</source>
        <translation>平均延迟</translation>
    </message>
    <message>
        <source>p95 latency</source>
        <translation>p95 延迟</translation>
    </message>
    <message>
        <source>Share</source>
        <translation>占比</translation>
    </message>
    <message>
        <source>Cumulative</source>
        <translation>累计</translation>
    </message>
    <message>
        <source>Unpriced calls</source>
        <translation>未定价调用</translation>
    </message>
    <message>
        <source>The salted hash of the API key that made these calls (never the key itself)</source>
        <translation>发起这些调用的 API 密钥的加盐哈希（绝不是密钥本身）</translation>
    </message>
    <message>
        <source>(no label)</source>
        <translation>（无标签）</translation>
    </message>
    <message>
        <source>(no key)</source>
        <translation>（无密钥）</translation>
    </message>
    <message>
        <source>Key label</source>
        <translation>密钥标签</translation>
    </message>
    <message>
        <source>Key identity</source>
        <translation>密钥标识</translation>
    </message>
    <message numerus="yes">
        <source>≈ Estimated: %n call(s) in this row were priced from estimated usage or a price the data lacks (e.g. local token counts, a tier priced at the base rate).</source>
        <translation><numerusform>≈ 估算：此行有 %n 次调用按估算用量或价格数据缺少的价格计价（例如本地 token 计数、按基础费率计价的档位）。</numerusform></translation>
    </message>
    <message>
        <source>exact</source>
        <translation>精确</translation>
    </message>
    <message>
        <source>≈ estimated</source>
        <translation>≈ 估算</translation>
    </message>
    <message>
        <source>≈ partly estimated</source>
        <translation>≈ 部分估算</translation>
    </message>
    <message>
        <source>partly unpriced</source>
        <translation>部分未定价</translation>
    </message>
    <message>
        <source>Whether the cost is exact, estimated (≈) or leaves unpriced calls out</source>
        <translation>费用是精确值、估算值（≈），还是未包含未定价的调用</translation>
    </message>
    <message>
        <source>Cost status</source>
        <translation>费用状态</translation>
    </message>
</context>
<context>
    <name>tl::BreakdownPanel</name>
    <message>
        <source>Filter rows (endpoint, model…)</source>
        <translation>筛选行（端点、模型…）</translation>
    </message>
    <message>
        <source>&amp;Copy</source>
        <translation>复制(&amp;C)</translation>
    </message>
    <message>
        <source>Cannot write %1: %2</source>
        <translation>无法写入 %1：%2</translation>
    </message>
    <message>
        <source>Export breakdown</source>
        <translation>导出细分表</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>CSV 文件 (*.csv)</translation>
    </message>
    <message>
        <source>&amp;Label this key…</source>
        <translation>为此密钥添加标签(&amp;L)…</translation>
    </message>
    <message>
        <source>by endpoint and model</source>
        <translation>按端点和模型</translation>
    </message>
    <message>
        <source>by API key</source>
        <translation>按 API 密钥</translation>
    </message>
    <message>
        <source>Breakdown</source>
        <translation>细分</translation>
    </message>
    <message>
        <source>Co&amp;py</source>
        <translation>复制(&amp;P)</translation>
    </message>
    <message>
        <source>&amp;Export CSV…</source>
        <translation>导出 CSV(&amp;E)…</translation>
    </message>
</context>
<context>
    <name>tl::ComplexityRulesModel</name>
    <message>
        <source>Low</source>
        <translation>低</translation>
    </message>
    <message>
        <source>Medium</source>
        <translation>中</translation>
    </message>
    <message>
        <source>High</source>
        <translation>高</translation>
    </message>
    <message>
        <source>needs request text — not recorded</source>
        <translation>需要请求文本——未记录</translation>
    </message>
    <message>
        <source>needs prompt characters — not recorded for imported calls</source>
        <translation>需要提示字符数——导入的调用未记录</translation>
    </message>
    <message>
        <source>needs max tokens — not recorded for imported calls</source>
        <translation>需要最大 token 数——导入的调用未记录</translation>
    </message>
    <message>
        <source>any</source>
        <translation>任意</translation>
    </message>
    <message numerus="yes">
        <source>%n call(s) matched</source>
        <translation><numerusform>匹配 %n 次调用</numerusform></translation>
    </message>
    <message numerus="yes">
        <source>%n undecided: %1</source>
        <translation><numerusform>%n 次无法判定：%1</numerusform></translation>
    </message>
    <message>
        <source>Characters of the request's text (system and every message), counted as Unicode code points</source>
        <translation>请求文本（系统消息和每条消息）的字符数，按 Unicode 码位计数</translation>
    </message>
    <message>
        <source>The request's max tokens (max_tokens, max_completion_tokens or max_output_tokens); a request without one never matches this condition</source>
        <translation>请求的最大 token 数（max_tokens、max_completion_tokens 或 max_output_tokens）；未设置的请求永远不满足此条件</translation>
    </message>
    <message>
        <source>Any of these words in the request's text (case-insensitive; a Latin word must start at a word boundary). Request text is not recorded, so recorded calls cannot be tested against them.</source>
        <translation>请求文本中出现其中任一词（不区分大小写；拉丁字母单词须从词边界开始）。请求文本不会被记录，因此无法用已记录的调用测试这些词。</translation>
    </message>
    <message>
        <source>Rule %1: %2</source>
        <translation>规则 %1：%2</translation>
    </message>
    <message>
        <source>Rule</source>
        <translation>规则</translation>
    </message>
    <message>
        <source>Task types</source>
        <translation>任务类型</translation>
    </message>
    <message>
        <source>Input chars from</source>
        <translation>输入字符数至少</translation>
    </message>
    <message>
        <source>Input chars under</source>
        <translation>输入字符数少于</translation>
    </message>
    <message>
        <source>Max tokens under</source>
        <translation>最大 token 数少于</translation>
    </message>
    <message>
        <source>Keywords</source>
        <translation>关键词</translation>
    </message>
    <message>
        <source>Complexity</source>
        <translation>复杂度</translation>
    </message>
    <message>
        <source>Recorded calls</source>
        <translation>已记录的调用</translation>
    </message>
    <message>
        <source>needs request text</source>
        <translation>需要请求文本</translation>
    </message>
    <message>
        <source>needs prompt characters</source>
        <translation>需要提示字符数</translation>
    </message>
    <message>
        <source>needs max tokens</source>
        <translation>需要最大 token 数</translation>
    </message>
</context>
<context>
    <name>tl::CostCalculatorWidget</name>
    <message>
        <source>Paste a prompt to count its tokens</source>
        <translation>粘贴提示词以计算 token 数</translation>
    </message>
    <message>
        <source>Count as one chat message (adds the per-message overhead)</source>
        <translation>按一条聊天消息计算（加上每条消息的额外开销）</translation>
    </message>
    <message>
        <source> tokens</source>
        <translation> 个 token</translation>
    </message>
    <message>
        <source>Model:</source>
        <translation>模型：</translation>
    </message>
    <message>
        <source>Expected completion:</source>
        <translation>预计补全长度：</translation>
    </message>
    <message>
        <source>Prompt tokens:</source>
        <translation>提示 token：</translation>
    </message>
    <message>
        <source>Cost of one call:</source>
        <translation>单次调用费用：</translation>
    </message>
    <message>
        <source>unavailable</source>
        <translation>不可用</translation>
    </message>
    <message>
        <source>Token count is an estimate: this model's tokenizer is not public (counted with %1).</source>
        <translation>token 数为估算值：该模型的分词器未公开（用 %1 计算）。</translation>
    </message>
    <message>
        <source>~%L1 (estimate)</source>
        <translation>约 %L1（估算）</translation>
    </message>
    <message>
        <source>%L1</source>
        <translation>%L1</translation>
    </message>
    <message>
        <source>~%1 (estimate)</source>
        <translation>约 %1（估算）</translation>
    </message>
    <message>
        <source>Prices: %1 (%2).</source>
        <translation>价格：%1（%2）。</translation>
    </message>
    <message>
        <source>unpriced</source>
        <translation>未定价</translation>
    </message>
    <message>
        <source>No price is known for "%1": add an override on this page to price it.</source>
        <translation>“%1”没有已知价格：请在本页添加自定义价格。</translation>
    </message>
    <message numerus="yes">
        <source>~%L1 (estimate, calibrated from %n call(s))</source>
        <translation><numerusform>~%L1（估算，已按 %n 次调用校准）</numerusform></translation>
    </message>
    <message numerus="yes">
        <source>Calibrated: x%1, the provider's summed prompt tokens over ours for %n recorded call(s) (per-call ratio %2 to %3, standard deviation %4).</source>
        <translation><numerusform>已校准：x%1，即 %n 次已记录调用中提供商的提示 token 总数与我们计数之比（单次比值 %2 至 %3，标准差 %4）。</numerusform></translation>
    </message>
    <message>
        <source>~%L1 (estimate, uncalibrated)</source>
        <translation>~%L1（估算，未校准）</translation>
    </message>
    <message numerus="yes">
        <source>Uncalibrated: %n call(s) of this model with the provider's count so far; a factor needs %1 (the proxy counts a sample of its calls).</source>
        <translation><numerusform>未校准：此模型目前有 %n 次调用带有提供商的计数；得出系数需要 %1 次（代理会对其调用抽样计数）。</numerusform></translation>
    </message>
</context>
<context>
    <name>tl::CostOverTimeChart</name>
    <message>
        <source>Cost over time</source>
        <translation>费用随时间变化</translation>
    </message>
    <message>
        <source>(none)</source>
        <translation>（无）</translation>
    </message>
</context>
<context>
    <name>tl::DashboardPage</name>
    <message>
        <source>by model</source>
        <translation>按模型</translation>
    </message>
    <message>
        <source>by endpoint</source>
        <translation>按端点</translation>
    </message>
    <message>
        <source>&amp;Stack cost:</source>
        <translation>费用堆叠(&amp;S)：</translation>
    </message>
    <message>
        <source>endpoints</source>
        <translation>个端点</translation>
    </message>
    <message>
        <source>Other</source>
        <translation>其他</translation>
    </message>
    <message>
        <source>%1 and your overrides (revision %2)</source>
        <translation>%1 及您的自定义价格（修订 %2）</translation>
    </message>
    <message>
        <source>Re-priced on %1 with %2</source>
        <translation>已于 %1 按 %2 重新计价</translation>
    </message>
    <message>
        <source>%1 calls re-priced, %2 changed; total %3 → %4</source>
        <translation>重新计价 %1 次调用，%2 次有变化；总计 %3 → %4</translation>
    </message>
    <message>
        <source>No calls between %1 and %2. Choose a longer range, or All time.</source>
        <translation>%1 至 %2 之间没有调用。请选择更长的时间范围，或“全部时间”。</translation>
    </message>
    <message>
        <source>No calls match the filter in this range.</source>
        <translation>此时间范围内没有符合筛选条件的调用。</translation>
    </message>
    <message>
        <source>A query failed: %1</source>
        <translation>查询失败：%1</translation>
    </message>
    <message>
        <source>remove the label of %1</source>
        <translation>移除 %1 的标签</translation>
    </message>
    <message>
        <source>label %1 as "%2"</source>
        <translation>将 %1 标记为“%2”</translation>
    </message>
    <message>
        <source>Undo</source>
        <translation>撤销</translation>
    </message>
    <message>
        <source>Redo</source>
        <translation>重做</translation>
    </message>
    <message>
        <source>Label this key</source>
        <translation>为此密钥添加标签</translation>
    </message>
    <message>
        <source>recorded calls %1</source>
        <translation>记录的调用 %1</translation>
    </message>
    <message>
        <source>provider usage reports %1</source>
        <translation>提供商用量报告 %1</translation>
    </message>
    <message>
        <source>provider cost reports %1</source>
        <translation>提供商费用报告 %1</translation>
    </message>
    <message>
        <source>Spend from: %1. Each provider's day counts once: its cost report, else its usage report, else the calls recorded here.</source>
        <translation>花费来源：%1。每个提供商每天只计一次：优先用其费用报告，其次用其用量报告，否则用此处记录的调用。</translation>
    </message>
    <message numerus="yes">
        <source>Not counted, as a provider report covers their day: %n recorded call(s) (%1), usage report lines %2. Team spend compares them.</source>
        <translation><numerusform>未计入（当天已有提供商报告）：%n 次记录的调用（%1），用量报告行 %2。团队花费页面会对比它们。</numerusform></translation>
    </message>
</context>
<context>
    <name>tl::DateRangePicker</name>
    <message>
        <source>Last 24 hours</source>
        <translation>最近 24 小时</translation>
    </message>
    <message>
        <source>Last 7 days</source>
        <translation>最近 7 天</translation>
    </message>
    <message>
        <source>Last 30 days</source>
        <translation>最近 30 天</translation>
    </message>
    <message>
        <source>Last 90 days</source>
        <translation>最近 90 天</translation>
    </message>
    <message>
        <source>All time</source>
        <translation>全部时间</translation>
    </message>
    <message>
        <source>Custom…</source>
        <translation>自定义…</translation>
    </message>
    <message>
        <source>&amp;Range:</source>
        <translation>时间范围(&amp;R)：</translation>
    </message>
</context>
<context>
    <name>tl::EmptyState</name>
    <message>
        <source>No LLM calls in the ledger yet</source>
        <translation>账本中还没有 LLM 调用</translation>
    </message>
    <message>
        <source>TokenLedger shows where your LLM API money goes. Get calls into the ledger in one of two ways:&lt;ul&gt;&lt;li&gt;&lt;b&gt;Import&lt;/b&gt; a CSV or JSONL file, or a usage or cost report saved from the OpenAI or Anthropic Admin API (File ▸ Import…).&lt;/li&gt;&lt;li&gt;&lt;b&gt;Send your calls through the local proxy&lt;/b&gt;: point your OpenAI or Anthropic client's base URL at TokenLedger and every call is recorded with its exact cost.&lt;/li&gt;&lt;/ul&gt;From the command line: &lt;code&gt;tokenledger import --format csv FILE&lt;/code&gt;.</source>
        <translation>TokenLedger 告诉您 LLM API 的钱花在了哪里。可以用以下两种方式把调用记入账本：&lt;ul&gt;&lt;li&gt;&lt;b&gt;导入&lt;/b&gt; CSV 或 JSONL 文件，或从 OpenAI、Anthropic 管理 API 保存的用量或费用报告（文件 ▸ 导入…）。&lt;/li&gt;&lt;li&gt;&lt;b&gt;让调用经过本地代理&lt;/b&gt;：把 OpenAI 或 Anthropic 客户端的 base URL 指向 TokenLedger，每次调用都会连同精确费用一起记录。&lt;/li&gt;&lt;/ul&gt;命令行：&lt;code&gt;tokenledger import --format csv FILE&lt;/code&gt;。</translation>
    </message>
    <message>
        <source>&amp;Import a file…</source>
        <translation>导入文件(&amp;I)…</translation>
    </message>
    <message>
        <source>Set up the &amp;proxy</source>
        <translation>设置代理(&amp;P)</translation>
    </message>
</context>
<context>
    <name>tl::EndpointOutcomeModel</name>
    <message>
        <source>(no endpoint)</source>
        <translation>（无端点）</translation>
    </message>
    <message>
        <source>%1: %2 saved on %3 calls</source>
        <translation>%1：在 %3 次调用上节省 %2</translation>
    </message>
    <message>
        <source>Endpoint</source>
        <translation>端点</translation>
    </message>
    <message>
        <source>Calls</source>
        <translation>调用次数</translation>
    </message>
    <message>
        <source>Baseline</source>
        <translation>基线</translation>
    </message>
    <message>
        <source>Projected</source>
        <translation>预测</translation>
    </message>
    <message>
        <source>Saving</source>
        <translation>节省</translation>
    </message>
    <message>
        <source>Saving %</source>
        <translation>节省 %</translation>
    </message>
</context>
<context>
    <name>tl::EndpointRoutingModel</name>
    <message>
        <source>Off</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Shadow (record only)</source>
        <translation>影子模式（只记录）</translation>
    </message>
    <message>
        <source>On</source>
        <translation>开启</translation>
    </message>
    <message>
        <source>(other endpoints)</source>
        <translation>（其他端点）</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message numerus="yes">
        <source>own (%n rule(s))</source>
        <translation><numerusform>自有（%n 条规则）</numerusform></translation>
    </message>
    <message>
        <source>built-in defaults</source>
        <translation>内置默认规则</translation>
    </message>
    <message>
        <source>Off: the router does nothing. Shadow: it decides and records what it would have served, changing nothing. On: it serves the routed model.</source>
        <translation>关闭：路由器不做任何事。影子模式：做出决定并记录本会使用的模型，但不做任何更改。开启：使用路由后的模型。</translation>
    </message>
    <message>
        <source>Unchecked: a request only moves to a model that is not dearer in input and output price. Checked: complexity decides alone, so a simple request may move to a dearer premium model.</source>
        <translation>不勾选：请求只会改用输入和输出价格都不更贵的模型。勾选：只按复杂度决定，因此简单请求也可能改用更贵的高级模型。</translation>
    </message>
    <message>
        <source>Used when a request has no X-TokenLedger-Task header.</source>
        <translation>在请求没有 X-TokenLedger-Task 头时使用。</translation>
    </message>
    <message>
        <source>Endpoint</source>
        <translation>端点</translation>
    </message>
    <message>
        <source>Mode</source>
        <translation>模式</translation>
    </message>
    <message>
        <source>Allow cost increase</source>
        <translation>允许费用增加</translation>
    </message>
    <message>
        <source>Default task type</source>
        <translation>默认任务类型</translation>
    </message>
    <message>
        <source>Rules</source>
        <translation>规则</translation>
    </message>
</context>
<context>
    <name>tl::EndpointSavingsChart</name>
    <message>
        <source>Top endpoints by saving</source>
        <translation>节省最多的端点</translation>
    </message>
    <message>
        <source>Saving</source>
        <translation>节省</translation>
    </message>
    <message>
        <source>(no endpoint)</source>
        <translation>（无端点）</translation>
    </message>
    <message>
        <source>%1
Saving: %2 (%3 of %4)</source>
        <translation>%1
节省：%2（占 %4 的 %3）</translation>
    </message>
</context>
<context>
    <name>tl::FilterChip</name>
    <message>
        <source>✕ Clear filter</source>
        <translation>✕ 清除筛选</translation>
    </message>
    <message>
        <source>Endpoint: %1</source>
        <translation>端点：%1</translation>
    </message>
    <message>
        <source>Model: %1</source>
        <translation>模型：%1</translation>
    </message>
    <message>
        <source>Provider: %1</source>
        <translation>提供商：%1</translation>
    </message>
    <message>
        <source>Key: %1</source>
        <translation>密钥：%1</translation>
    </message>
    <message>
        <source>Text: %1</source>
        <translation>文本：%1</translation>
    </message>
</context>
<context>
    <name>tl::Format</name>
    <message>
        <source>%1 ms</source>
        <translation>%1 毫秒</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
</context>
<context>
    <name>tl::ImportDialog</name>
    <message>
        <source>Started at (timestamp):</source>
        <translation>开始时间（时间戳）：</translation>
    </message>
    <message>
        <source>Endpoint:</source>
        <translation>端点：</translation>
    </message>
    <message>
        <source>Provider:</source>
        <translation>提供商：</translation>
    </message>
    <message>
        <source>Model:</source>
        <translation>模型：</translation>
    </message>
    <message>
        <source>Prompt tokens:</source>
        <translation>提示 token：</translation>
    </message>
    <message>
        <source>Cached input tokens:</source>
        <translation>缓存输入 token：</translation>
    </message>
    <message>
        <source>Completion tokens:</source>
        <translation>补全 token：</translation>
    </message>
    <message>
        <source>Reasoning tokens:</source>
        <translation>推理 token：</translation>
    </message>
    <message>
        <source>Latency (ms):</source>
        <translation>延迟（毫秒）：</translation>
    </message>
    <message>
        <source>HTTP status:</source>
        <translation>HTTP 状态：</translation>
    </message>
    <message>
        <source>Known cost (USD):</source>
        <translation>已知费用（美元）：</translation>
    </message>
    <message>
        <source>Import calls</source>
        <translation>导入调用</translation>
    </message>
    <message>
        <source>Choose a file…</source>
        <translation>选择文件…</translation>
    </message>
    <message>
        <source>&amp;Browse…</source>
        <translation>浏览(&amp;B)…</translation>
    </message>
    <message>
        <source>CSV (any spreadsheet, with a column mapping)</source>
        <translation>CSV（任意电子表格，需指定列映射）</translation>
    </message>
    <message>
        <source>JSONL (TokenLedger's own export format)</source>
        <translation>JSONL（TokenLedger 自身的导出格式）</translation>
    </message>
    <message>
        <source>OpenAI usage (Admin API, completions, JSON)</source>
        <translation>OpenAI 用量（管理 API，completions，JSON）</translation>
    </message>
    <message>
        <source>OpenAI costs (Admin API, JSON)</source>
        <translation>OpenAI 费用（管理 API，JSON）</translation>
    </message>
    <message>
        <source>Anthropic usage report (Admin API, JSON)</source>
        <translation>Anthropic 用量报告（管理 API，JSON）</translation>
    </message>
    <message>
        <source>Anthropic cost report (Admin API, JSON)</source>
        <translation>Anthropic 费用报告（管理 API，JSON）</translation>
    </message>
    <message>
        <source>&amp;File:</source>
        <translation>文件(&amp;F)：</translation>
    </message>
    <message>
        <source>F&amp;ormat:</source>
        <translation>格式(&amp;O)：</translation>
    </message>
    <message>
        <source>CSV columns</source>
        <translation>CSV 列</translation>
    </message>
    <message>
        <source>(not in the file)</source>
        <translation>（文件中没有）</translation>
    </message>
    <message>
        <source>e.g. chat</source>
        <translation>例如 chat</translation>
    </message>
    <message>
        <source>e.g. gpt-4o-2024-08-06</source>
        <translation>例如 gpt-4o-2024-08-06</translation>
    </message>
    <message>
        <source>e.g. openai</source>
        <translation>例如 openai</translation>
    </message>
    <message>
        <source>System (%1)</source>
        <translation>系统（%1）</translation>
    </message>
    <message>
        <source>Same value for every row (used where no column is mapped):</source>
        <translation>每一行使用相同的值（在未映射列时使用）：</translation>
    </message>
    <message>
        <source>&amp;Endpoint:</source>
        <translation>端点(&amp;E)：</translation>
    </message>
    <message>
        <source>&amp;Model:</source>
        <translation>模型(&amp;M)：</translation>
    </message>
    <message>
        <source>&amp;Provider:</source>
        <translation>提供商(&amp;P)：</translation>
    </message>
    <message>
        <source>&amp;Time zone of timestamps:</source>
        <translation>时间戳的时区(&amp;T)：</translation>
    </message>
    <message>
        <source>&amp;Import</source>
        <translation>导入(&amp;I)</translation>
    </message>
    <message>
        <source>Usage files (*.csv *.jsonl *.json);;CSV (*.csv);;JSON Lines (*.jsonl);;JSON (*.json);;All files (*)</source>
        <translation>用量文件 (*.csv *.jsonl *.json);;CSV (*.csv);;JSON Lines (*.jsonl);;JSON (*.json);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Cannot read a CSV header from this file.</source>
        <translation>无法从此文件读取 CSV 表头。</translation>
    </message>
    <message>
        <source>Columns found: %1</source>
        <translation>找到的列：%1</translation>
    </message>
    <message>
        <source>Choose a file to import.</source>
        <translation>请选择要导入的文件。</translation>
    </message>
    <message>
        <source>There is no file %1.</source>
        <translation>文件 %1 不存在。</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Importing %1…</source>
        <translation>正在导入 %1…</translation>
    </message>
    <message>
        <source>Importing… %1 rows read</source>
        <translation>正在导入… 已读取 %1 行</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Import failed: %1</source>
        <translation>导入失败：%1</translation>
    </message>
    <message>
        <source>Import cancelled. Records read before the cancel are kept.</source>
        <translation>导入已取消。取消之前读取的记录已保留。</translation>
    </message>
    <message>
        <source>Import finished.</source>
        <translation>导入完成。</translation>
    </message>
    <message>
        <source>Rows read: %1</source>
        <translation>读取行数：%1</translation>
    </message>
    <message>
        <source>Imported: %1</source>
        <translation>已导入：%1</translation>
    </message>
    <message>
        <source>Duplicates (already in the ledger): %1</source>
        <translation>重复（已在账本中）：%1</translation>
    </message>
    <message>
        <source>Skipped: %1</source>
        <translation>已跳过：%1</translation>
    </message>
    <message>
        <source>Cost imported: %1</source>
        <translation>导入的费用：%1</translation>
    </message>
    <message>
        <source>Without a price (unpriced): %1 — add a price on the Pricing page</source>
        <translation>没有价格（未定价）：%1 — 请在“定价”页面添加价格</translation>
    </message>
    <message>
        <source>Skipped rows:</source>
        <translation>跳过的行：</translation>
    </message>
    <message>
        <source>%1, line %2: %3</source>
        <translation>%1，第 %2 行：%3</translation>
    </message>
    <message numerus="yes">
        <source>… and %n more</source>
        <translation><numerusform>… 还有 %n 条</numerusform></translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>正在取消…</translation>
    </message>
    <message>
        <source>OpenAI usage (Admin API, embeddings, JSON)</source>
        <translation>OpenAI 用量（管理 API，embeddings，JSON）</translation>
    </message>
    <message>
        <source>Key ids that were API keys: %1 — stored as their salted hash (k_…), the id the proxy gives that key, never the key</source>
        <translation>原为 API 密钥的密钥 ID：%1 个——以加盐哈希（k_…）保存，即代理为该密钥给出的 ID，从不保存密钥本身</translation>
    </message>
    <message>
        <source>Labels that looked like API keys: %1 — stored as "redacted"</source>
        <translation>看起来像 API 密钥的标签：%1 个——已存为“redacted”</translation>
    </message>
</context>
<context>
    <name>tl::KeyLabelDialog</name>
    <message>
        <source>Label this key</source>
        <translation>为此密钥添加标签</translation>
    </message>
    <message>
        <source>Name the API key whose salted hash is %1, so that breakdowns by key show who made the calls. The label is stored in the ledger; never type the key itself.</source>
        <translation>为加盐哈希为 %1 的 API 密钥命名，让按密钥的细分显示是谁发起了调用。标签保存在账本中；切勿输入密钥本身。</translation>
    </message>
    <message>
        <source>e.g. billing service</source>
        <translation>例如 计费服务</translation>
    </message>
</context>
<context>
    <name>tl::KpiPanel</name>
    <message>
        <source>Spend</source>
        <translation>支出</translation>
    </message>
    <message>
        <source>Calls</source>
        <translation>调用次数</translation>
    </message>
    <message>
        <source>Tokens</source>
        <translation>Token 数</translation>
    </message>
    <message>
        <source>Cost per 1k calls</source>
        <translation>每千次调用费用</translation>
    </message>
    <message>
        <source>Cache savings</source>
        <translation>缓存节省</translation>
    </message>
    <message>
        <source>Unpriced calls</source>
        <translation>未定价调用</translation>
    </message>
    <message>
        <source>Add price…</source>
        <translation>添加价格…</translation>
    </message>
    <message>
        <source>priced calls only</source>
        <translation>仅含已定价调用</translation>
    </message>
    <message>
        <source>all calls priced</source>
        <translation>所有调用均已定价</translation>
    </message>
    <message>
        <source>%1 failed</source>
        <translation>%1 次失败</translation>
    </message>
    <message>
        <source>%1 prompt · %2 completion</source>
        <translation>提示 %1 · 补全 %2</translation>
    </message>
    <message>
        <source>avg latency %1</source>
        <translation>平均延迟 %1</translation>
    </message>
    <message numerus="yes">
        <source>%n cache hit(s)</source>
        <translation><numerusform>%n 次缓存命中</numerusform></translation>
    </message>
    <message>
        <source>every model has a price</source>
        <translation>所有模型都有价格</translation>
    </message>
    <message>
        <source>e.g. %1</source>
        <translation>例如 %1</translation>
    </message>
    <message>
        <source>Batch API spend</source>
        <translation>Batch API 支出</translation>
    </message>
    <message>
        <source>saved %1 · real-time %2</source>
        <translation>节省 %1 · 实时价格 %2</translation>
    </message>
    <message>
        <source>no batch calls</source>
        <translation>没有批处理调用</translation>
    </message>
    <message numerus="yes">
        <source>%n call(s) through a Batch API cost %1; at real-time prices they would have cost %2.</source>
        <translation><numerusform>%n 次通过 Batch API 的调用花费 %1；按实时价格将花费 %2。</numerusform></translation>
    </message>
    <message>
        <source>partly estimated</source>
        <translation>部分为估算</translation>
    </message>
    <message numerus="yes">
        <source>≈ %n call(s) or report line(s) in this spend were priced from estimated usage or a price the data lacks; the rest is exact.</source>
        <translation><numerusform>≈ 此花费中有 %n 次调用或报告行按估算用量或价格数据缺少的价格计价；其余为精确值。</numerusform></translation>
    </message>
    <message>
        <source>Cost of the priced calls per 1,000 priced calls (%1 priced calls; unpriced calls and provider report lines without a call count are left out).</source>
        <translation>已定价调用每 1,000 次的费用（%1 次已定价调用；未定价调用和没有调用次数的提供商报告行不计入）。</translation>
    </message>
    <message>
        <source>calls without a model</source>
        <translation>未注明模型的调用</translation>
    </message>
    <message>
        <source>no calls in this range</source>
        <translation>此范围内没有调用</translation>
    </message>
</context>
<context>
    <name>tl::MainWindow</name>
    <message>
        <source>TokenLedger</source>
        <translation>TokenLedger</translation>
    </message>
    <message>
        <source>Dashboard</source>
        <translation>仪表板</translation>
    </message>
    <message>
        <source>Pricing</source>
        <translation>定价</translation>
    </message>
    <message>
        <source>Cannot save calls: %1</source>
        <translation>无法保存调用：%1</translation>
    </message>
    <message>
        <source>Ledger: %1</source>
        <translation>账本：%1</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Import…</source>
        <translation>导入(&amp;I)…</translation>
    </message>
    <message>
        <source>&amp;Export…</source>
        <translation>导出(&amp;E)…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Range</source>
        <translation>时间范围(&amp;R)</translation>
    </message>
    <message>
        <source>Last &amp;24 hours</source>
        <translation>最近 24 小时(&amp;2)</translation>
    </message>
    <message>
        <source>Last &amp;7 days</source>
        <translation>最近 7 天(&amp;7)</translation>
    </message>
    <message>
        <source>Last &amp;30 days</source>
        <translation>最近 30 天(&amp;3)</translation>
    </message>
    <message>
        <source>Last &amp;90 days</source>
        <translation>最近 90 天(&amp;9)</translation>
    </message>
    <message>
        <source>&amp;All time</source>
        <translation>全部时间(&amp;A)</translation>
    </message>
    <message>
        <source>Re&amp;fresh</source>
        <translation>刷新(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Settings</source>
        <translation>设置(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <source>&amp;System default</source>
        <translation>跟随系统(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Theme</source>
        <translation>主题(&amp;T)</translation>
    </message>
    <message>
        <source>&amp;System</source>
        <translation>跟随系统(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Light</source>
        <translation>浅色(&amp;L)</translation>
    </message>
    <message>
        <source>&amp;Dark</source>
        <translation>深色(&amp;D)</translation>
    </message>
    <message>
        <source>Time &amp;zone…</source>
        <translation>时区(&amp;Z)…</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;About TokenLedger</source>
        <translation>关于 TokenLedger(&amp;A)</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <source>The language changes when you restart TokenLedger.</source>
        <translation>语言将在重新启动 TokenLedger 后更改。</translation>
    </message>
    <message>
        <source>Export calls</source>
        <translation>导出调用</translation>
    </message>
    <message>
        <source>JSON Lines (*.jsonl);;CSV (*.csv)</source>
        <translation>JSON Lines (*.jsonl);;CSV (*.csv)</translation>
    </message>
    <message>
        <source>Exporting…</source>
        <translation>正在导出…</translation>
    </message>
    <message numerus="yes">
        <source>Exported %n call(s) of the dashboard's range to %1.</source>
        <translation><numerusform>已将仪表板时间范围内的 %n 次调用导出到 %1。</numerusform></translation>
    </message>
    <message>
        <source>&lt;h3&gt;TokenLedger %1&lt;/h3&gt;&lt;p&gt;Where your LLM API money goes, on your own machine.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;TokenLedger %1&lt;/h3&gt;&lt;p&gt;在您自己的电脑上，看清 LLM API 的钱花在了哪里。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>&lt;p&gt;Price data: pydantic/genai-prices 0.1.8, MIT licence.&lt;/p&gt;</source>
        <translation>&lt;p&gt;价格数据：pydantic/genai-prices 0.1.8，MIT 许可证。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>&lt;p&gt;Sample data: Azure LLM inference trace 2023 (Azure Public Dataset; Patel et al., “Splitwise: Efficient generative LLM inference using phase splitting”, ISCA 2024), CC-BY 4.0.&lt;/p&gt;</source>
        <translation>&lt;p&gt;示例数据：Azure LLM 推理轨迹 2023（Azure Public Dataset；Patel 等，“Splitwise: Efficient generative LLM inference using phase splitting”，ISCA 2024），CC-BY 4.0。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>About TokenLedger</source>
        <translation>关于 TokenLedger</translation>
    </message>
</context>
<context>
    <name>tl::OverrideDialog</name>
    <message>
        <source>Price override</source>
        <translation>自定义价格</translation>
    </message>
    <message>
        <source>Leave empty to apply to the model from any provider</source>
        <translation>留空则适用于任何提供商的该模型</translation>
    </message>
    <message>
        <source>not set</source>
        <translation>未设置</translation>
    </message>
    <message>
        <source>exact model name, e.g. gpt-4o-2024-08-06</source>
        <translation>完整模型名称，例如 gpt-4o-2024-08-06</translation>
    </message>
    <message>
        <source>50% of input</source>
        <translation>输入价格的 50%</translation>
    </message>
    <message>
        <source>50% of output</source>
        <translation>输出价格的 50%</translation>
    </message>
    <message>
        <source>optional</source>
        <translation>可选</translation>
    </message>
    <message>
        <source>&amp;Provider:</source>
        <translation>提供商(&amp;P)：</translation>
    </message>
    <message>
        <source>&amp;Model:</source>
        <translation>模型(&amp;M)：</translation>
    </message>
    <message>
        <source>&amp;Input (USD / MTok):</source>
        <translation>输入(&amp;I)（美元 / 百万 token）：</translation>
    </message>
    <message>
        <source>&amp;Cached input (USD / MTok):</source>
        <translation>缓存输入(&amp;C)（美元 / 百万 token）：</translation>
    </message>
    <message>
        <source>Cache &amp;write, 5 min (USD / MTok):</source>
        <translation>缓存写入，5 分钟(&amp;W)（美元 / 百万 token）：</translation>
    </message>
    <message>
        <source>Cache write, &amp;1 h (USD / MTok):</source>
        <translation>缓存写入，1 小时(&amp;1)（美元 / 百万 token）：</translation>
    </message>
    <message>
        <source>&amp;Output (USD / MTok):</source>
        <translation>输出(&amp;O)（美元 / 百万 token）：</translation>
    </message>
    <message>
        <source>&amp;Batch input (USD / MTok):</source>
        <translation>批量输入(&amp;B)（美元 / 百万 token）：</translation>
    </message>
    <message>
        <source>Batch o&amp;utput (USD / MTok):</source>
        <translation>批量输出(&amp;U)（美元 / 百万 token）：</translation>
    </message>
    <message>
        <source>&amp;Note:</source>
        <translation>备注(&amp;N)：</translation>
    </message>
    <message>
        <source>Your price wins over the built-in price book for new calls. Use Re-price history on the Pricing page to apply it to calls already in the ledger.</source>
        <translation>对新调用，您的价格优先于内置价格表。要将其应用到账本中已有的调用，请使用“定价”页面上的“重新计价历史”。</translation>
    </message>
    <message>
        <source>Name the model.</source>
        <translation>请填写模型名称。</translation>
    </message>
    <message>
        <source>“%1” is not a price: write a decimal number of US dollars, e.g. 2.5 or 0.0375.</source>
        <translation>“%1”不是有效价格：请填写以美元计的小数，例如 2.5 或 0.0375。</translation>
    </message>
    <message>
        <source>Give at least one price.</source>
        <translation>请至少填写一个价格。</translation>
    </message>
</context>
<context>
    <name>tl::OverridesModel</name>
    <message>
        <source>any</source>
        <translation>任意</translation>
    </message>
    <message>
        <source>Provider</source>
        <translation>提供商</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Input $/MTok</source>
        <translation>输入 $/百万 token</translation>
    </message>
    <message>
        <source>Cached input $/MTok</source>
        <translation>缓存输入 $/百万 token</translation>
    </message>
    <message>
        <source>Cache write $/MTok</source>
        <translation>缓存写入 $/百万 token</translation>
    </message>
    <message>
        <source>Output $/MTok</source>
        <translation>输出 $/百万 token</translation>
    </message>
    <message>
        <source>Revision</source>
        <translation>修订</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>备注</translation>
    </message>
</context>
<context>
    <name>tl::ParetoChart</name>
    <message>
        <source>Pareto (80/20)</source>
        <translation>帕累托（80/20）</translation>
    </message>
    <message>
        <source>Pareto: %1 of %2 %3 carry 80% of the cost</source>
        <translation>帕累托：%2 %3中的 %1 个承担了 80% 的费用</translation>
    </message>
    <message>
        <source>Cost</source>
        <translation>费用</translation>
    </message>
    <message>
        <source>Cumulative share</source>
        <translation>累计占比</translation>
    </message>
    <message>
        <source>80%</source>
        <translation>80%</translation>
    </message>
    <message>
        <source>%1
%2, cumulative %3</source>
        <translation>%1
%2，累计 %3</translation>
    </message>
</context>
<context>
    <name>tl::PriceBookModel</name>
    <message>
        <source> +tiers</source>
        <translation> +分档</translation>
    </message>
    <message numerus="yes">
        <source>This model has %n dated or time-of-day price variant(s); the default is shown.</source>
        <translation><numerusform>此模型有 %n 个按日期或时段的价格变体；此处显示默认价格。</numerusform></translation>
    </message>
    <message>
        <source>Provider</source>
        <translation>提供商</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Input $/MTok</source>
        <translation>输入 $/百万 token</translation>
    </message>
    <message>
        <source>Cached input $/MTok</source>
        <translation>缓存输入 $/百万 token</translation>
    </message>
    <message>
        <source>Cache write $/MTok</source>
        <translation>缓存写入 $/百万 token</translation>
    </message>
    <message>
        <source>Output $/MTok</source>
        <translation>输出 $/百万 token</translation>
    </message>
    <message>
        <source>Context window</source>
        <translation>上下文窗口</translation>
    </message>
</context>
<context>
    <name>tl::PricingPage</name>
    <message>
        <source>Price book</source>
        <translation>价格表</translation>
    </message>
    <message>
        <source>Your prices</source>
        <translation>自定义价格</translation>
    </message>
    <message>
        <source>Aliases</source>
        <translation>别名</translation>
    </message>
    <message>
        <source>Unpriced models</source>
        <translation>未定价模型</translation>
    </message>
    <message>
        <source>Cost calculator</source>
        <translation>费用计算器</translation>
    </message>
    <message numerus="yes">
        <source>Price book %1 (pydantic/genai-prices, MIT licence) with %n model(s).</source>
        <translation><numerusform>价格表 %1（pydantic/genai-prices，MIT 许可证），共 %n 个模型。</numerusform></translation>
    </message>
    <message>
        <source>&amp;Re-price history…</source>
        <translation>重新计价历史(&amp;R)…</translation>
    </message>
    <message>
        <source>Recompute the cost of every call in the ledger with the price book and your prices</source>
        <translation>用价格表和您的自定义价格重新计算账本中每次调用的费用</translation>
    </message>
    <message>
        <source>Search provider or model, e.g. gpt-4o or claude</source>
        <translation>搜索提供商或模型，例如 gpt-4o 或 claude</translation>
    </message>
    <message>
        <source>Override selected price…</source>
        <translation>自定义所选价格…</translation>
    </message>
    <message>
        <source>&amp;Add…</source>
        <translation>添加(&amp;A)…</translation>
    </message>
    <message>
        <source>&amp;Edit…</source>
        <translation>编辑(&amp;E)…</translation>
    </message>
    <message>
        <source>Re&amp;move</source>
        <translation>删除(&amp;M)</translation>
    </message>
    <message>
        <source>Your prices win over the price book. They apply to new calls at once; use Re-price history to apply them to calls already in the ledger.</source>
        <translation>您的价格优先于价格表，并立即应用于新调用；要应用到账本中已有的调用，请使用“重新计价历史”。</translation>
    </message>
    <message>
        <source>&amp;Add alias…</source>
        <translation>添加别名(&amp;A)…</translation>
    </message>
    <message>
        <source>An alias prices a name your API reports (for example an Azure deployment name) as a model of the price book.</source>
        <translation>别名把 API 上报的名称（例如 Azure 部署名称）按价格表中的某个模型计价。</translation>
    </message>
    <message>
        <source>Add &amp;price…</source>
        <translation>添加价格(&amp;P)…</translation>
    </message>
    <message>
        <source>Map to a &amp;known model…</source>
        <translation>映射到已知模型(&amp;K)…</translation>
    </message>
    <message>
        <source>Model alias</source>
        <translation>模型别名</translation>
    </message>
    <message>
        <source>Calls to these models have no known cost: they are counted, never priced at $0. Add a price, or map the name to a model of the price book.</source>
        <translation>对这些模型的调用没有已知费用：它们会被计数，但绝不会按 $0 计价。请添加价格，或把名称映射到价格表中的模型。</translation>
    </message>
    <message>
        <source>The cost calculator (count the tokens of a prompt and price it with any model) is not part of this build yet.</source>
        <translation>此版本尚未包含费用计算器（计算提示词的 token 数并按任意模型计价）。</translation>
    </message>
    <message>
        <source>Unpriced models (%1)</source>
        <translation>未定价模型（%1）</translation>
    </message>
    <message>
        <source>Price override</source>
        <translation>自定义价格</translation>
    </message>
    <message>
        <source>Remove price</source>
        <translation>删除价格</translation>
    </message>
    <message>
        <source>Remove your price for %1? New calls then use the price book.</source>
        <translation>删除您为 %1 设置的价格吗？之后的新调用将使用价格表。</translation>
    </message>
    <message>
        <source>Re-price history</source>
        <translation>重新计价历史</translation>
    </message>
    <message>
        <source>Recompute the cost of every call in the ledger with the current price book and your prices? The dashboard will say when figures were re-priced.</source>
        <translation>用当前价格表和您的自定义价格重新计算账本中每次调用的费用吗？仪表板会注明数据的重新计价时间。</translation>
    </message>
    <message>
        <source>Re-pricing…</source>
        <translation>正在重新计价…</translation>
    </message>
    <message>
        <source>Re-pricing failed; nothing was changed: %1</source>
        <translation>重新计价失败，未做任何更改：%1</translation>
    </message>
    <message>
        <source>Re-priced %1 calls with %2: %3 changed; total cost %4 → %5.</source>
        <translation>已按 %2 重新计价 %1 次调用：%3 次有变化；总费用 %4 → %5。</translation>
    </message>
</context>
<context>
    <name>tl::ProxyLimitsPanel</name>
    <message>
        <source>Largest request body</source>
        <translation>最大请求体</translation>
    </message>
    <message>
        <source>A request body larger than this gets 413, decided from Content-Length before it is read.</source>
        <translation>超过此大小的请求体返回 413，在读取之前根据 Content-Length 判断。</translation>
    </message>
    <message>
        <source>Largest header block</source>
        <translation>最大请求头</translation>
    </message>
    <message>
        <source>A request line and headers larger than this get 431. At most 80 KiB, the HTTP parser's own limit.</source>
        <translation>请求行和请求头超过此大小时返回 431。最多 80 KiB，即 HTTP 解析器自身的上限。</translation>
    </message>
    <message>
        <source>Most client connections</source>
        <translation>最大客户端连接数</translation>
    </message>
    <message>
        <source>Open client connections beyond this get 503.</source>
        <translation>超出此数量的客户端连接返回 503。</translation>
    </message>
    <message>
        <source>Header timeout</source>
        <translation>请求头超时</translation>
    </message>
    <message>
        <source>A client's request line and headers must all arrive within this time, or it gets 408 and is disconnected.</source>
        <translation>客户端的请求行和请求头必须在此时间内全部到达，否则返回 408 并断开连接。</translation>
    </message>
    <message>
        <source>Request body timeout</source>
        <translation>请求体超时</translation>
    </message>
    <message>
        <source>The whole request body must arrive within this time after its headers, or the client gets 408.</source>
        <translation>请求头之后，整个请求体必须在此时间内到达，否则客户端收到 408。</translation>
    </message>
    <message>
        <source>Idle client connection</source>
        <translation>客户端空闲连接</translation>
    </message>
    <message>
        <source>A client connection with no request in progress is closed after this time.</source>
        <translation>没有进行中请求的客户端连接在此时间后关闭。</translation>
    </message>
    <message>
        <source>Upstream connect timeout</source>
        <translation>上游连接超时</translation>
    </message>
    <message>
        <source>Longest wait to connect to the upstream (TCP and TLS); then the client gets 504.</source>
        <translation>连接上游（TCP 和 TLS）的最长等待时间；超时后客户端收到 504。</translation>
    </message>
    <message>
        <source>Upstream first-byte timeout</source>
        <translation>上游首字节超时</translation>
    </message>
    <message>
        <source>Longest wait for the upstream's response headers; then 504. Slow models with long prompts may need more.</source>
        <translation>等待上游响应头的最长时间；超时后返回 504。处理长提示的慢速模型可能需要更长时间。</translation>
    </message>
    <message>
        <source>Upstream idle timeout</source>
        <translation>上游空闲超时</translation>
    </message>
    <message>
        <source>Longest silence between reads from the upstream (between stream events), not a limit on a whole stream; then 504, or an error event ends the stream.</source>
        <translation>两次从上游读取之间（流事件之间）最长的静默时间，而不是整个流的时长上限；超时后返回 504，或以错误事件结束流。</translation>
    </message>
    <message>
        <source>Pause upstream above</source>
        <translation>高于此值暂停上游</translation>
    </message>
    <message>
        <source>High-water mark: when this many answer bytes wait for a slow client, the upstream transfer is paused.</source>
        <translation>高水位：当有这么多应答字节等待慢速客户端读取时，暂停上游传输。</translation>
    </message>
    <message>
        <source>Resume upstream below</source>
        <translation>低于此值恢复上游</translation>
    </message>
    <message>
        <source>Low-water mark: a paused upstream transfer goes on when the bytes waiting for the client fall below this. Must be below the high-water mark.</source>
        <translation>低水位：等待客户端读取的字节降到此值以下时，已暂停的上游传输继续。必须低于高水位。</translation>
    </message>
    <message>
        <source>Client write timeout</source>
        <translation>客户端写入超时</translation>
    </message>
    <message>
        <source>A client that takes no byte for this long while the proxy holds bytes for it is disconnected (recorded as client_stalled).</source>
        <translation>代理有字节待发送、而客户端在此时间内一个字节也没有读取时，断开该客户端（记录为 client_stalled）。</translation>
    </message>
    <message>
        <source>Drain time at stop</source>
        <translation>停止时的排空时间</translation>
    </message>
    <message>
        <source>When the proxy stops, requests in flight get this long to finish; then they get 503 or an error event, and are recorded.</source>
        <translation>代理停止时，进行中的请求有这么长时间完成；之后它们收到 503 或错误事件，并被记录。</translation>
    </message>
    <message>
        <source> ms</source>
        <translation> 毫秒</translation>
    </message>
    <message>
        <source> bytes</source>
        <translation> 字节</translation>
    </message>
    <message>
        <source> connections</source>
        <translation> 个连接</translation>
    </message>
    <message>
        <source>%1 h</source>
        <translation>%1 小时</translation>
    </message>
    <message>
        <source>%1 min</source>
        <translation>%1 分钟</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
    <message>
        <source>%1 ms</source>
        <translation>%1 毫秒</translation>
    </message>
    <message>
        <source>Limits and timeouts</source>
        <translation>限制和超时</translation>
    </message>
    <message>
        <source>Request size limits, client and upstream timeouts, flow control towards slow clients. The defaults suit most uses.</source>
        <translation>请求大小限制、客户端和上游超时、面向慢速客户端的流量控制。默认值适合大多数情况。</translation>
    </message>
    <message>
        <source>%1
Default %2; from %3 to %4. Key in the --config file: %5.</source>
        <translation>%1
默认 %2；范围 %3 至 %4。--config 文件中的键：%5。</translation>
    </message>
    <message>
        <source>Limits take effect when the proxy starts.</source>
        <translation>限制在代理启动时生效。</translation>
    </message>
    <message>
        <source>Restore defaults</source>
        <translation>恢复默认值</translation>
    </message>
    <message>
        <source>Sets every limit and timeout back to its default.</source>
        <translation>把所有限制和超时恢复为默认值。</translation>
    </message>
    <message>
        <source>The proxy is running: stop it to change limits (they take effect when it starts).</source>
        <translation>代理正在运行：请先停止再修改限制（限制在启动时生效）。</translation>
    </message>
    <message>
        <source>Busy polling after traffic</source>
        <translation>流量后忙轮询</translation>
    </message>
    <message>
        <source> µs</source>
        <translation> 微秒</translation>
    </message>
    <message>
        <source>off</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>%1 µs</source>
        <translation>%1 微秒</translation>
    </message>
    <message>
        <source>After handling traffic the proxy keeps checking its sockets this long before it sleeps, so a quick reply is handled without a wake-up (about 25 µs less per request on an idle machine). Costs CPU time only while traffic flows; long windows take CPU from an upstream or client on the same machine. 0 turns it off. Linux only.</source>
        <translation>处理完流量后，代理在休眠前继续检查其套接字这么长时间，使很快到达的回复无需唤醒即可处理（在空闲的机器上每个请求约少 25 微秒）。只在有流量时消耗 CPU 时间；较长的窗口会占用同一台机器上上游或客户端的 CPU。0 表示关闭。仅限 Linux。</translation>
    </message>
</context>
<context>
    <name>tl::ProxyLogModel</name>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Endpoint</source>
        <translation>端点</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Tokens</source>
        <translation>Token 数</translation>
    </message>
    <message>
        <source>Cost</source>
        <translation>费用</translation>
    </message>
    <message>
        <source>Latency</source>
        <translation>延迟</translation>
    </message>
    <message>
        <source>Cache</source>
        <translation>缓存</translation>
    </message>
    <message>
        <source>unknown</source>
        <translation>未知</translation>
    </message>
    <message>
        <source>%1 saved</source>
        <translation>节省 %1</translation>
    </message>
    <message>
        <source>unpriced</source>
        <translation>未定价</translation>
    </message>
    <message>
        <source>%1 ms</source>
        <translation>%1 毫秒</translation>
    </message>
    <message>
        <source>hit</source>
        <translation>命中</translation>
    </message>
    <message>
        <source>miss</source>
        <translation>未命中</translation>
    </message>
    <message>
        <source>bypass</source>
        <translation>绕过</translation>
    </message>
    <message>
        <source>semantic %1</source>
        <translation>语义 %1</translation>
    </message>
    <message>
        <source>Path</source>
        <translation>路径</translation>
    </message>
    <message>
        <source>pending</source>
        <translation>待定</translation>
    </message>
</context>
<context>
    <name>tl::ProxyPage</name>
    <message>
        <source>Local proxy</source>
        <translation>本地代理</translation>
    </message>
    <message>
        <source>Run the proxy</source>
        <translation>运行代理</translation>
    </message>
    <message>
        <source>Needed only for an address other than 127.0.0.1 (16+ characters)</source>
        <translation>仅在使用 127.0.0.1 以外的地址时需要（至少 16 个字符）</translation>
    </message>
    <message>
        <source>Port</source>
        <translation>端口</translation>
    </message>
    <message>
        <source>Bind address</source>
        <translation>监听地址</translation>
    </message>
    <message>
        <source>Access token</source>
        <translation>访问令牌</translation>
    </message>
    <message>
        <source>Upstreams</source>
        <translation>上游</translation>
    </message>
    <message>
        <source>API key for the selected upstream (kept in the OS keychain only)</source>
        <translation>所选上游的 API 密钥（只保存在系统钥匙串中）</translation>
    </message>
    <message>
        <source>Exact cache</source>
        <translation>精确缓存</translation>
    </message>
    <message>
        <source>Serve repeated requests from the cache</source>
        <translation>用缓存响应重复的请求</translation>
    </message>
    <message>
        <source> s TTL</source>
        <translation> 秒 TTL</translation>
    </message>
    <message>
        <source> MiB max</source>
        <translation> MiB 上限</translation>
    </message>
    <message>
        <source>Point your clients at the proxy</source>
        <translation>让客户端指向代理</translation>
    </message>
    <message>
        <source>Filter the request log (endpoint, model, status, cache)</source>
        <translation>筛选请求日志（端点、模型、状态、缓存）</translation>
    </message>
    <message>
        <source>Cache cleared.</source>
        <translation>缓存已清空。</translation>
    </message>
    <message>
        <source>Stopping: finishing in-flight requests...</source>
        <translation>正在停止：等待进行中的请求完成…</translation>
    </message>
    <message>
        <source>Starting...</source>
        <translation>正在启动…</translation>
    </message>
    <message>
        <source>Select an upstream with a keychain entry and type its key.</source>
        <translation>请选择一个有钥匙串条目的上游并输入其密钥。</translation>
    </message>
    <message>
        <source>Key saved in the keychain as "%1"; it applies the next time the proxy starts.</source>
        <translation>密钥已以“%1”保存到钥匙串；下次启动代理时生效。</translation>
    </message>
    <message>
        <source>Running on %1:%2.</source>
        <translation>正在 %1:%2 上运行。</translation>
    </message>
    <message>
        <source>Running</source>
        <translation>运行中</translation>
    </message>
    <message>
        <source>Stopping</source>
        <translation>正在停止</translation>
    </message>
    <message>
        <source>Stopped.</source>
        <translation>已停止。</translation>
    </message>
    <message>
        <source>Savings</source>
        <translation>节省</translation>
    </message>
    <message>
        <source>Endpoint</source>
        <translation>端点</translation>
    </message>
    <message>
        <source>Routing</source>
        <translation>路由</translation>
    </message>
    <message>
        <source>Semantic cache</source>
        <translation>语义缓存</translation>
    </message>
    <message>
        <source>Compression</source>
        <translation>压缩</translation>
    </message>
    <message>
        <source>Removes the cached answer that served the selected semantic-cache hit, so the next similar request goes to the provider.</source>
        <translation>删除为所选语义缓存命中提供回答的缓存条目，下一个相似请求将发送给提供商。</translation>
    </message>
    <message>
        <source>The stored savings policy cannot be used: %1</source>
        <translation>无法使用已保存的节省策略：%1</translation>
    </message>
    <message>
        <source>on</source>
        <translation>开启</translation>
    </message>
    <message>
        <source>off</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>on, TTL %1 s</source>
        <translation>开启，TTL %1 秒</translation>
    </message>
    <message>
        <source>on, threshold %1, TTL %2 s, %3 embeddings</source>
        <translation>开启，阈值 %1，TTL %2 秒，%3 嵌入</translation>
    </message>
    <message>
        <source>on, budget %1 tokens, summaries by %2</source>
        <translation>开启，预算 %1 token，由 %2 生成摘要</translation>
    </message>
    <message>
        <source>the nano tier</source>
        <translation>nano 层级</translation>
    </message>
    <message>
        <source>(other endpoints)</source>
        <translation>（其他端点）</translation>
    </message>
    <message>
        <source>Savings policy in force (set from the Simulator page with "Apply to proxy").</source>
        <translation>生效中的节省策略（在模拟器页面通过“应用到代理”设置）。</translation>
    </message>
    <message>
        <source>No savings lever is on. Turn them on per endpoint from the Simulator page with "Apply to proxy".</source>
        <translation>没有开启任何节省手段。可在模拟器页面通过“应用到代理”按端点开启。</translation>
    </message>
    <message>
        <source>The new savings policy could not be applied: %1</source>
        <translation>无法应用新的节省策略：%1</translation>
    </message>
    <message>
        <source>Record %1: the cached answer was removed; the next similar request goes to the provider.</source>
        <translation>记录 %1：缓存的回答已删除；下一个相似请求将发送给提供商。</translation>
    </message>
    <message>
        <source>proxy-wide setting</source>
        <translation>代理全局设置</translation>
    </message>
    <message>
        <source>Request text</source>
        <translation>请求文本</translation>
    </message>
    <message>
        <source>Keep request and response text for endpoints:</source>
        <translation>为以下端点保存请求和响应文本：</translation>
    </message>
    <message>
        <source>none (comma-separated endpoint names)</source>
        <translation>无（以逗号分隔的端点名称）</translation>
    </message>
    <message>
        <source>By default the ledger keeps token counts, costs and timings, never the text of prompts or answers. For the endpoints named here it also keeps the request and response bodies (never headers or keys), in the ledger file on this machine. Takes effect when the proxy starts.</source>
        <translation>默认情况下，账本只保存 token 数、费用和耗时，从不保存提示词或回答的文本。对于此处列出的端点，还会把请求和响应正文（从不包括请求头或密钥）保存在本机的账本文件中。在代理启动时生效。</translation>
    </message>
    <message>
        <source>shadow (record only)</source>
        <translation>影子模式（仅记录）</translation>
    </message>
    <message>
        <source>%1; explicit rules: %2</source>
        <translation>%1；显式规则：%2 条</translation>
    </message>
    <message>
        <source>Upstream %1 runs without its stored key (%2); its clients must send their own key.</source>
        <translation>上游 %1 在没有已存密钥的情况下运行（%2）；其客户端必须自带密钥。</translation>
    </message>
    <message>
        <source>Also cache answers cut at the token limit</source>
        <translation>也缓存因 token 上限而截断的回答</translation>
    </message>
    <message>
        <source>By default an answer that stopped at max tokens (finish_reason "length", stop_reason "max_tokens") is not stored, so a repeat asks the provider again. Key in the --config file: cache.storeTruncated.</source>
        <translation>默认情况下，因达到最大 token 数而停止的回答（finish_reason "length"、stop_reason "max_tokens"）不会被存储，重复请求会再次询问提供商。--config 文件中的键：cache.storeTruncated。</translation>
    </message>
    <message>
        <source>%1_API_KEY=tokenledger: the proxy sends the key kept in the keychain for upstream "%2".</source>
        <translation>%1_API_KEY=tokenledger：代理会发送钥匙串中为上游“%2”保存的密钥。</translation>
    </message>
    <message>
        <source>Upstream "%1" has no key in the keychain: set %2_API_KEY to your own key; the proxy passes it on.</source>
        <translation>上游“%1”在钥匙串中没有密钥：请将 %2_API_KEY 设为您自己的密钥，代理会原样转发。</translation>
    </message>
    <message>
        <source>Upstream "%1": send the header X-TokenLedger-Upstream: %1; the key "tokenledger" uses its keychain key.</source>
        <translation>上游“%1”：发送请求头 X-TokenLedger-Upstream: %1；密钥“tokenledger”会使用它在钥匙串中的密钥。</translation>
    </message>
    <message>
        <source>Upstream "%1": send the header X-TokenLedger-Upstream: %1 and your own key (none in the keychain).</source>
        <translation>上游“%1”：发送请求头 X-TokenLedger-Upstream: %1 和您自己的密钥（钥匙串中没有）。</translation>
    </message>
    <message>
        <source>Not started: %1</source>
        <translation>未启动：%1</translation>
    </message>
    <message>
        <source>Not started: the bind address "%1" is not an IP address (for example 127.0.0.1, ::1 or 0.0.0.0).</source>
        <translation>未启动：绑定地址“%1”不是 IP 地址（例如 127.0.0.1、::1 或 0.0.0.0）。</translation>
    </message>
    <message>
        <source>No request in the log matches “%1”.</source>
        <translation>日志中没有与“%1”匹配的请求。</translation>
    </message>
    <message>
        <source>Save &amp;key to keychain</source>
        <translation>将密钥保存到钥匙串(&amp;K)</translation>
    </message>
    <message>
        <source>C&amp;lear cache</source>
        <translation>清空缓存(&amp;L)</translation>
    </message>
    <message>
        <source>Co&amp;py</source>
        <translation>复制(&amp;P)</translation>
    </message>
    <message>
        <source>&amp;Mark semantic hit wrong</source>
        <translation>标记语义命中有误(&amp;M)</translation>
    </message>
    <message>
        <source>No requests since the app started. The proxy listens on %1:%2: point a client at it (see “Point your clients at the proxy” above) and each call shows here as it is answered. Calls recorded before are on the Dashboard.</source>
        <translation>应用启动以来还没有请求。代理正在 %1:%2 上监听：让客户端指向它（见上方“让客户端指向代理”），每次调用得到应答后都会显示在这里。之前记录的调用在仪表板上。</translation>
    </message>
    <message>
        <source>No requests since the app started. Turn on “Run the proxy”, point a client at it (see “Point your clients at the proxy” above), and each call shows here as it is answered. Calls recorded before are on the Dashboard.</source>
        <translation>应用启动以来还没有请求。勾选“运行代理”，让客户端指向它（见上方“让客户端指向代理”），每次调用得到应答后都会显示在这里。之前记录的调用在仪表板上。</translation>
    </message>
</context>
<context>
    <name>tl::ProxyStatusIndicator</name>
    <message>
        <source>Proxy: off</source>
        <translation>代理：关闭</translation>
    </message>
    <message>
        <source>The local proxy is not running.</source>
        <translation>本地代理未运行。</translation>
    </message>
    <message>
        <source>Proxy: :%1 · %2 req/s</source>
        <translation>代理：:%1 · %2 次请求/秒</translation>
    </message>
    <message numerus="yes">
        <source>%n request(s) answered, %1 from the cache</source>
        <translation><numerusform>已响应 %n 个请求，其中 %1 个来自缓存</numerusform></translation>
    </message>
</context>
<context>
    <name>tl::ReconciliationModel</name>
    <message>
        <source>No cost line from the provider: the usage report priced with the price book stands in.</source>
        <translation>提供商没有对应的费用行：改用按价格表计价的用量报告。</translation>
    </message>
    <message numerus="yes">
        <source>%1 (+%n unpriced)</source>
        <translation><numerusform>%1（另有 %n 个未定价）</numerusform></translation>
    </message>
    <message>
        <source>Day (UTC)</source>
        <translation>日期（UTC）</translation>
    </message>
    <message>
        <source>Provider</source>
        <translation>提供商</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Billed</source>
        <translation>账单金额</translation>
    </message>
    <message>
        <source>Recorded</source>
        <translation>已记录</translation>
    </message>
    <message>
        <source>Difference</source>
        <translation>差额</translation>
    </message>
    <message>
        <source>Difference %</source>
        <translation>差额 %</translation>
    </message>
    <message>
        <source>Outside the proxy</source>
        <translation>未经代理</translation>
    </message>
    <message>
        <source>Price difference</source>
        <translation>价格差异</translation>
    </message>
    <message>
        <source>Unpriced</source>
        <translation>未定价</translation>
    </message>
    <message>
        <source>No cost line from the provider, and the price book has no price for this model: the amount billed is unknown.</source>
        <translation>提供商没有对应的费用行，价格表中也没有此模型的价格：收费金额未知。</translation>
    </message>
    <message>
        <source>unpriced</source>
        <translation>未定价</translation>
    </message>
    <message>
        <source>No cost or usage report from the provider for this day and model (not synced, or a day the reports do not cover): the recorded cost stands in, so the difference is 0. Sync to compare.</source>
        <translation>提供商没有这一天、这个模型的费用或用量报告（未同步，或报告未覆盖这一天）：以记录的费用代替，因此差额为 0。同步后即可对比。</translation>
    </message>
    <message>
        <source>no report</source>
        <translation>无报告</translation>
    </message>
</context>
<context>
    <name>tl::ReconciliationPage</name>
    <message>
        <source>Admin key (kept in the system keychain only)</source>
        <translation>管理密钥（只保存在系统钥匙串中）</translation>
    </message>
    <message>
        <source>OpenAI admin key:</source>
        <translation>OpenAI 管理密钥：</translation>
    </message>
    <message>
        <source>Anthropic admin key:</source>
        <translation>Anthropic 管理密钥：</translation>
    </message>
    <message>
        <source>From:</source>
        <translation>从：</translation>
    </message>
    <message>
        <source>To:</source>
        <translation>到：</translation>
    </message>
    <message>
        <source>Admin key saved in the system keychain.</source>
        <translation>管理密钥已保存到系统钥匙串。</translation>
    </message>
    <message>
        <source>Syncing…</source>
        <translation>正在同步…</translation>
    </message>
    <message>
        <source>Billed %1, recorded %2, difference %3: outside the proxy %4, price differences %5, unpriced %6.</source>
        <translation>账单 %1，已记录 %2，差额 %3：未经代理 %4，价格差异 %5，未定价 %6。</translation>
    </message>
    <message>
        <source>Off</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Every hour</source>
        <translation>每小时</translation>
    </message>
    <message>
        <source>Every 6 hours</source>
        <translation>每 6 小时</translation>
    </message>
    <message>
        <source>Every day</source>
        <translation>每天</translation>
    </message>
    <message>
        <source>Sync &amp;automatically:</source>
        <translation>自动同步(&amp;A)：</translation>
    </message>
    <message>
        <source>A sync is already running.</source>
        <translation>已有同步正在运行。</translation>
    </message>
    <message numerus="yes">
        <source>Every %n hour(s)</source>
        <translation><numerusform>每 %n 小时</numerusform></translation>
    </message>
    <message>
        <source>never</source>
        <translation>从不</translation>
    </message>
    <message>
        <source>Last sync: %1 (running).</source>
        <translation>上次同步：%1（正在运行）。</translation>
    </message>
    <message>
        <source>Last sync: %1.</source>
        <translation>上次同步：%1。</translation>
    </message>
    <message>
        <source>Last sync: %1. Next: %2.</source>
        <translation>上次同步：%1。下次：%2。</translation>
    </message>
    <message>
        <source>This table puts what OpenAI and Anthropic billed your organisation next to what TokenLedger recorded, per day and model. To get the providers' figures in:&lt;ol&gt;&lt;li&gt;Paste an &lt;b&gt;admin key&lt;/b&gt; above and press &lt;b&gt;Save key&lt;/b&gt; (OpenAI: Settings ▸ Organization ▸ Admin keys; Anthropic Console: Settings ▸ Admin keys). It is kept in the system keychain only.&lt;/li&gt;&lt;li&gt;Press &lt;b&gt;Sync now&lt;/b&gt;, or choose how often to &lt;b&gt;sync automatically&lt;/b&gt;. Each sync fetches only the days not complete yet.&lt;/li&gt;&lt;/ol&gt;From the command line: &lt;code&gt;tokenledger sync --set-key openai &amp;lt; admin-key.txt&lt;/code&gt;, then &lt;code&gt;tokenledger sync&lt;/code&gt;. Calls through the local proxy, batch jobs and imports appear here as recorded spend.</source>
        <translation>此表按日期和模型，将 OpenAI 和 Anthropic 向贵组织收取的费用与 TokenLedger 记录的费用并列对照。要导入提供商的数据：&lt;ol&gt;&lt;li&gt;在上方粘贴&lt;b&gt;管理员密钥&lt;/b&gt;并点击&lt;b&gt;保存密钥&lt;/b&gt;（OpenAI：Settings ▸ Organization ▸ Admin keys；Anthropic Console：Settings ▸ Admin keys）。密钥只保存在系统钥匙串中。&lt;/li&gt;&lt;li&gt;点击&lt;b&gt;立即同步&lt;/b&gt;，或选择&lt;b&gt;自动同步&lt;/b&gt;的频率。每次同步只获取尚未完整的日期。&lt;/li&gt;&lt;/ol&gt;命令行：&lt;code&gt;tokenledger sync --set-key openai &amp;lt; admin-key.txt&lt;/code&gt;，然后 &lt;code&gt;tokenledger sync&lt;/code&gt;。经本地代理的调用、批处理作业和导入的数据在此显示为已记录的支出。</translation>
    </message>
    <message>
        <source>Enter an &amp;admin key</source>
        <translation>输入管理员密钥(&amp;A)</translation>
    </message>
    <message>
        <source>Nothing to reconcile from %1 to %2</source>
        <translation>%1 至 %2 没有可对账的数据</translation>
    </message>
    <message numerus="yes">
        <source>%n row(s) with an unknown billed amount (a model the price book does not know) are not in these totals.</source>
        <translation><numerusform>%n 行的账单金额未知（价格表中没有该模型），未计入这些合计。</numerusform></translation>
    </message>
    <message>
        <source>Save &amp;key</source>
        <translation>保存密钥(&amp;K)</translation>
    </message>
    <message>
        <source>Sync &amp;now</source>
        <translation>立即同步(&amp;N)</translation>
    </message>
    <message>
        <source>No provider report in this range: sync to compare what was billed. Recorded %1.</source>
        <translation>此范围内没有提供商报告：同步后即可对比实际计费。已记录 %1。</translation>
    </message>
    <message numerus="yes">
        <source>%n row(s) have no provider report: their recorded cost stands in for what was billed.</source>
        <translation><numerusform>%n 行没有提供商报告：以其记录的费用代替计费金额。</numerusform></translation>
    </message>
</context>
<context>
    <name>tl::RecordDetailsDialog</name>
    <message>
        <source>Request record %1</source>
        <translation>请求记录 %1</translation>
    </message>
    <message>
        <source>Request record</source>
        <translation>请求记录</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Path</source>
        <translation>路径</translation>
    </message>
    <message>
        <source>(not known)</source>
        <translation>（未知）</translation>
    </message>
    <message>
        <source>Endpoint</source>
        <translation>端点</translation>
    </message>
    <message>
        <source>%1 (tags: %2)</source>
        <translation>%1（标签：%2）</translation>
    </message>
    <message>
        <source>Provider</source>
        <translation>提供商</translation>
    </message>
    <message>
        <source>(none)</source>
        <translation>（无）</translation>
    </message>
    <message>
        <source>%1, served as %2</source>
        <translation>%1，实际由 %2 响应</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>HTTP status</source>
        <translation>HTTP 状态</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>错误</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>unknown (the answer gave no usage)</source>
        <translation>未知（响应未给出用量）</translation>
    </message>
    <message>
        <source>%1 cache read</source>
        <translation>%1 缓存读取</translation>
    </message>
    <message>
        <source>%1 cache write</source>
        <translation>%1 缓存写入</translation>
    </message>
    <message>
        <source>prompt %1</source>
        <translation>提示 %1</translation>
    </message>
    <message>
        <source>completion %1</source>
        <translation>补全 %1</translation>
    </message>
    <message>
        <source>%1 reasoning</source>
        <translation>%1 推理</translation>
    </message>
    <message>
        <source>estimated locally</source>
        <translation>本地估算</translation>
    </message>
    <message>
        <source>incomplete (the answer ended early)</source>
        <translation>不完整（响应提前结束）</translation>
    </message>
    <message>
        <source>Tokens</source>
        <translation>Token 数</translation>
    </message>
    <message>
        <source>unpriced (no price for this model)</source>
        <translation>未定价（此模型没有价格）</translation>
    </message>
    <message>
        <source>(estimated)</source>
        <translation>（估算）</translation>
    </message>
    <message>
        <source>price %1, %2</source>
        <translation>价格 %1，%2</translation>
    </message>
    <message>
        <source>saved %1</source>
        <translation>节省 %1</translation>
    </message>
    <message>
        <source>Cost</source>
        <translation>费用</translation>
    </message>
    <message>
        <source>exact-cache hit</source>
        <translation>精确缓存命中</translation>
    </message>
    <message>
        <source>semantic-cache hit, similarity %1</source>
        <translation>语义缓存命中，相似度 %1</translation>
    </message>
    <message>
        <source>miss (answered by the provider and stored)</source>
        <translation>未命中（由提供商响应并已存储）</translation>
    </message>
    <message>
        <source>bypassed (the client asked for no cache)</source>
        <translation>已绕过（客户端要求不使用缓存）</translation>
    </message>
    <message>
        <source>not used</source>
        <translation>未使用</translation>
    </message>
    <message>
        <source>Cache</source>
        <translation>缓存</translation>
    </message>
    <message>
        <source>first token after %1</source>
        <translation>首个 token 用时 %1</translation>
    </message>
    <message>
        <source>Latency</source>
        <translation>延迟</translation>
    </message>
    <message>
        <source>Record id</source>
        <translation>记录 ID</translation>
    </message>
    <message>
        <source>(not stored yet)</source>
        <translation>（尚未存储）</translation>
    </message>
    <message>
        <source>JSON</source>
        <translation>JSON</translation>
    </message>
    <message>
        <source>Request body</source>
        <translation>请求正文</translation>
    </message>
    <message>
        <source>Response body</source>
        <translation>响应正文</translation>
    </message>
    <message>
        <source>Copy JSON</source>
        <translation>复制 JSON</translation>
    </message>
    <message>
        <source>pending: a background response; its usage comes with the first retrieve through the proxy that finds it finished</source>
        <translation>待定：后台响应；其用量随第一次经代理取回且已完成的响应而来</translation>
    </message>
    <message>
        <source>pending (priced when the usage comes)</source>
        <translation>待定（用量到达后计价）</translation>
    </message>
</context>
<context>
    <name>tl::RecordExport</name>
    <message>
        <source>Cannot write %1: %2</source>
        <translation>无法写入 %1：%2</translation>
    </message>
</context>
<context>
    <name>tl::RoutingPage</name>
    <message>
        <source>routing edit</source>
        <translation>路由编辑</translation>
    </message>
    <message>
        <source>&amp;Save</source>
        <translation>保存(&amp;S)</translation>
    </message>
    <message>
        <source>Re&amp;vert</source>
        <translation>还原(&amp;V)</translation>
    </message>
    <message>
        <source>Restore de&amp;faults</source>
        <translation>恢复默认(&amp;F)</translation>
    </message>
    <message>
        <source>Use in si&amp;mulator</source>
        <translation>在模拟器中使用(&amp;M)</translation>
    </message>
    <message>
        <source>Undo</source>
        <translation>撤销</translation>
    </message>
    <message>
        <source>Redo</source>
        <translation>重做</translation>
    </message>
    <message>
        <source>Store these settings in the proxy's savings policy; a running proxy uses them at once</source>
        <translation>将这些设置保存到代理的节省策略中；正在运行的代理会立即使用</translation>
    </message>
    <message>
        <source>Reload the saved settings (undoable)</source>
        <translation>重新加载已保存的设置（可撤销）</translation>
    </message>
    <message>
        <source>The built-in tiers and rules with routing off everywhere (undoable; saved only by Save)</source>
        <translation>内置的层级和规则，所有端点关闭路由（可撤销；只有点击“保存”才会保存）</translation>
    </message>
    <message>
        <source>Open the Simulator with these tiers as its complexity router (the simulator replays the complexity the proxy recorded per call)</source>
        <translation>打开模拟器，并以这些层级作为其复杂度路由器（模拟器会重放代理为每次调用记录的复杂度）</translation>
    </message>
    <message>
        <source>Model routing</source>
        <translation>模型路由</translation>
    </message>
    <message>
        <source>The proxy's router gives each request a complexity by the first rule that matches, then moves it to that tier's model of its provider family when the guards allow (context window, images, audio, tools, structured output, price). Test your edits on recorded calls below before you save them.</source>
        <translation>代理的路由器按第一条匹配的规则为每个请求确定复杂度，然后在保护条件允许时（上下文窗口、图像、音频、工具、结构化输出、价格）将其改用同一提供商系列中该层级的模型。保存之前，可先在下方用已记录的调用测试你的修改。</translation>
    </message>
    <message>
        <source>&amp;Rules and endpoints</source>
        <translation>规则和端点(&amp;R)</translation>
    </message>
    <message>
        <source>T&amp;iers</source>
        <translation>层级(&amp;I)</translation>
    </message>
    <message>
        <source>Undo the last edit (%1)</source>
        <translation>撤销上一次编辑（%1）</translation>
    </message>
    <message>
        <source>Redo (%1)</source>
        <translation>重做（%1）</translation>
    </message>
    <message>
        <source>Endpoints</source>
        <translation>端点</translation>
    </message>
    <message>
        <source>endpoint name</source>
        <translation>端点名称</translation>
    </message>
    <message>
        <source>&amp;Add endpoint</source>
        <translation>添加端点(&amp;A)</translation>
    </message>
    <message>
        <source>Remove endpoint</source>
        <translation>移除端点</translation>
    </message>
    <message>
        <source>The endpoint then follows “(other endpoints)”</source>
        <translation>该端点随后将沿用“（其他端点）”的设置</translation>
    </message>
    <message>
        <source>Complexity rules</source>
        <translation>复杂度规则</translation>
    </message>
    <message>
        <source>A&amp;dd rule</source>
        <translation>添加规则(&amp;D)</translation>
    </message>
    <message>
        <source>Insert a rule below the selected one (Insert)</source>
        <translation>在所选规则下方插入一条规则（Insert）</translation>
    </message>
    <message>
        <source>De&amp;lete rule</source>
        <translation>删除规则(&amp;L)</translation>
    </message>
    <message>
        <source>Delete the selected rule (Delete)</source>
        <translation>删除所选规则（Delete）</translation>
    </message>
    <message>
        <source>Move &amp;up</source>
        <translation>上移(&amp;U)</translation>
    </message>
    <message>
        <source>Try this rule earlier (Ctrl+Up)</source>
        <translation>提前尝试此规则（Ctrl+Up）</translation>
    </message>
    <message>
        <source>Move do&amp;wn</source>
        <translation>下移(&amp;W)</translation>
    </message>
    <message>
        <source>Try this rule later (Ctrl+Down)</source>
        <translation>推后尝试此规则（Ctrl+Down）</translation>
    </message>
    <message>
        <source>Use built-in rules</source>
        <translation>使用内置规则</translation>
    </message>
    <message>
        <source>Drop this endpoint's own rules and use the built-in ones</source>
        <translation>放弃此端点的自有规则，改用内置规则</translation>
    </message>
    <message>
        <source>Tiers</source>
        <translation>层级</translation>
    </message>
    <message>
        <source>from the price book</source>
        <translation>取自价格表</translation>
    </message>
    <message>
        <source>Add &amp;family</source>
        <translation>添加系列(&amp;F)</translation>
    </message>
    <message>
        <source>Remove family</source>
        <translation>移除系列</translation>
    </message>
    <message>
        <source>Provider famil&amp;y:</source>
        <translation>提供商系列(&amp;Y)：</translation>
    </message>
    <message>
        <source>Complexity to tier</source>
        <translation>复杂度对应的层级</translation>
    </message>
    <message>
        <source>A request is only moved within its own provider family, to a model the price book lists for that family, whose context window fits the prompt plus max tokens and that accepts what the request uses. Prices and context windows: the built-in price book (genai-prices 0.1.8).</source>
        <translation>请求只会在其所属的提供商系列内改用模型：该模型须列在价格表中该系列之下，其上下文窗口能容纳提示加最大 token 数，并支持请求用到的功能。价格和上下文窗口：内置价格表（genai-prices 0.1.8）。</translation>
    </message>
    <message>
        <source>Rules of “%1”, tried in order (the first match sets the complexity).</source>
        <translation>“%1”的规则，按顺序尝试（第一条匹配的规则决定复杂度）。</translation>
    </message>
    <message>
        <source>“%1” uses the built-in rules, tried in order; editing them makes them its own.</source>
        <translation>“%1”使用内置规则，按顺序尝试；编辑后将成为其自有规则。</translation>
    </message>
    <message>
        <source>Save routing</source>
        <translation>保存路由设置</translation>
    </message>
    <message>
        <source>The routing settings were not saved: %1</source>
        <translation>路由设置未保存：%1</translation>
    </message>
    <message>
        <source>The saved routing changed elsewhere (for example the Simulator's “Apply to proxy”): Revert loads it, Save replaces it with these settings.</source>
        <translation>已保存的路由设置在别处被更改（例如模拟器的“应用到代理”）：“还原”会加载它，“保存”会用这里的设置替换它。</translation>
    </message>
    <message>
        <source>Unsaved changes: the proxy still uses the saved settings.</source>
        <translation>有未保存的更改：代理仍在使用已保存的设置。</translation>
    </message>
    <message>
        <source>Saved: the proxy uses these settings.</source>
        <translation>已保存：代理正在使用这些设置。</translation>
    </message>
    <message>
        <source>&amp;Model rules</source>
        <translation>模型规则(&amp;M)</translation>
    </message>
    <message>
        <source>Endpoint</source>
        <translation>端点</translation>
    </message>
    <message>
        <source>Order</source>
        <translation>顺序</translation>
    </message>
    <message>
        <source>Rule</source>
        <translation>规则</translation>
    </message>
    <message>
        <source>Mode</source>
        <translation>模式</translation>
    </message>
    <message>
        <source>Explicit rules come from a simulator scenario (Simulator page, Apply to proxy; edit them there). The proxy tries them in order before the complexity rules; the first match wins, with the same guards. A rule's bounds are checked on the request as it arrives, the live counterpart of the simulator's recorded counts: prompt tokens by the local tokenizer, completion tokens by the request's max_tokens (max_completion_tokens, max_output_tokens), so a request without a max tokens value never matches a rule with a completion bound.</source>
        <translation>显式规则来自模拟器场景（模拟器页面的“应用到代理”；请在那里编辑）。代理在复杂度规则之前按顺序尝试它们，第一条匹配的规则生效，并受同样的保护条件约束。规则的上限按请求到达时的情况检查，这是模拟器按已记录数量检查的实时对应：提示 token 由本地分词器计数，补全 token 取请求的 max_tokens（max_completion_tokens、max_output_tokens），因此没有最大 token 值的请求永远不会匹配带补全上限的规则。</translation>
    </message>
    <message>
        <source>on</source>
        <translation>开启</translation>
    </message>
    <message>
        <source>shadow (record only)</source>
        <translation>影子模式（仅记录）</translation>
    </message>
    <message>
        <source>off</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>%1, then the complexity rules</source>
        <translation>%1，然后按复杂度规则</translation>
    </message>
    <message>
        <source>%1, rules only</source>
        <translation>%1，仅规则</translation>
    </message>
    <message>
        <source>(other endpoints)</source>
        <translation>（其他端点）</translation>
    </message>
    <message>
        <source>The saved policy has no explicit routing rules.</source>
        <translation>已保存的策略没有显式路由规则。</translation>
    </message>
    <message>
        <source>Explicit routing rules in the saved policy: %1.</source>
        <translation>已保存策略中的显式路由规则：%1 条。</translation>
    </message>
    <message>
        <source>&amp;Model rules (%1)</source>
        <translation>模型规则 (%1)(&amp;M)</translation>
    </message>
</context>
<context>
    <name>tl::RoutingRulesModel</name>
    <message>
        <source>any</source>
        <translation>任意</translation>
    </message>
    <message>
        <source>(choose a model)</source>
        <translation>（请选择模型）</translation>
    </message>
    <message>
        <source>same provider</source>
        <translation>同一提供商</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Endpoints</source>
        <translation>端点</translation>
    </message>
    <message>
        <source>Max prompt
tokens</source>
        <translation>最大提示
token</translation>
    </message>
    <message>
        <source>Max completion
tokens</source>
        <translation>最大补全
token</translation>
    </message>
    <message>
        <source>Route to</source>
        <translation>路由到</translation>
    </message>
    <message>
        <source>Task types</source>
        <translation>任务类型</translation>
    </message>
    <message>
        <source>Max prompt
characters</source>
        <translation>最大提示
字符数</translation>
    </message>
    <message>
        <source>Target provider</source>
        <translation>目标提供商</translation>
    </message>
    <message>
        <source>Only calls served by this model (empty: any model)</source>
        <translation>仅限由此模型提供的调用（留空：任意模型）</translation>
    </message>
    <message>
        <source>Only calls of these endpoints, comma-separated (empty: any endpoint)</source>
        <translation>仅限这些端点的调用，以逗号分隔（留空：任意端点）</translation>
    </message>
    <message>
        <source>The model the matching calls are re-priced on (a price-book model name)</source>
        <translation>匹配的调用按此模型重新计价（价格表中的模型名）</translation>
    </message>
    <message>
        <source>Only calls of these task types, e.g. classification (needs calls recorded by the proxy)</source>
        <translation>仅限这些任务类型的调用，例如 classification（需要代理记录的调用）</translation>
    </message>
    <message>
        <source>Only calls with at most this many prompt characters (needs calls recorded by the proxy)</source>
        <translation>仅限提示字符数不超过此数的调用（需要代理记录的调用）</translation>
    </message>
    <message>
        <source>The target model's provider (empty: the call's own provider)</source>
        <translation>目标模型的提供商（留空：调用自身的提供商）</translation>
    </message>
    <message>
        <source>Only calls with at most this many prompt tokens (any: no limit). Applied to the proxy: the local tokenizer's count of the request</source>
        <translation>只包括提示 token 不超过此数的调用（任意：不限）。应用到代理时：按本地分词器对请求的计数</translation>
    </message>
    <message>
        <source>Only calls with at most this many completion tokens (any: no limit). Applied to the proxy: requests whose max_tokens (max_completion_tokens, max_output_tokens) is at most this; a request without one never matches</source>
        <translation>只包括补全 token 不超过此数的调用（任意：不限）。应用到代理时：请求的 max_tokens（max_completion_tokens、max_output_tokens）不超过此数；没有该值的请求永远不匹配</translation>
    </message>
</context>
<context>
    <name>tl::RoutingTestModel</name>
    <message>
        <source>routing off</source>
        <translation>路由关闭</translation>
    </message>
    <message>
        <source>pinned by the client</source>
        <translation>客户端已固定模型</translation>
    </message>
    <message>
        <source>no tiers for this family</source>
        <translation>此系列没有层级</translation>
    </message>
    <message>
        <source>model not in the price book</source>
        <translation>模型不在价格表中</translation>
    </message>
    <message>
        <source>already the tier's model</source>
        <translation>已是该层级的模型</translation>
    </message>
    <message>
        <source>context window</source>
        <translation>上下文窗口</translation>
    </message>
    <message>
        <source>images</source>
        <translation>图像</translation>
    </message>
    <message>
        <source>audio</source>
        <translation>音频</translation>
    </message>
    <message>
        <source>tools</source>
        <translation>工具</translation>
    </message>
    <message>
        <source>structured output</source>
        <translation>结构化输出</translation>
    </message>
    <message>
        <source>unpriced</source>
        <translation>未定价</translation>
    </message>
    <message>
        <source>not cheaper</source>
        <translation>并不更便宜</translation>
    </message>
    <message>
        <source>not recorded</source>
        <translation>未记录</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>%1 / %2</source>
        <translation>%1 / %2</translation>
    </message>
    <message>
        <source> or </source>
        <translation> 或 </translation>
    </message>
    <message>
        <source>(no rule: medium)</source>
        <translation>（无规则：中）</translation>
    </message>
    <message>
        <source>%1 to %2</source>
        <translation>%1 至 %2</translation>
    </message>
    <message>
        <source>* the endpoint's default task type (the call had no X-TokenLedger-Task header)</source>
        <translation>* 端点的默认任务类型（该调用没有 X-TokenLedger-Task 头）</translation>
    </message>
    <message>
        <source>Priced now with the call's own token counts: the requested model against the router's target (recorded cost: %1)</source>
        <translation>按该调用自身的 token 数以当前价格计价：请求的模型对比路由器的目标模型（记录的费用：%1）</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Requested model</source>
        <translation>请求的模型</translation>
    </message>
    <message>
        <source>Task type</source>
        <translation>任务类型</translation>
    </message>
    <message>
        <source>Prompt chars</source>
        <translation>提示字符数</translation>
    </message>
    <message>
        <source>Max tokens</source>
        <translation>最大 token 数</translation>
    </message>
    <message>
        <source>Prompt / completion tokens</source>
        <translation>提示 / 补全 token</translation>
    </message>
    <message>
        <source>Complexity</source>
        <translation>复杂度</translation>
    </message>
    <message>
        <source>Matched rule</source>
        <translation>匹配的规则</translation>
    </message>
    <message>
        <source>Would serve</source>
        <translation>将使用</translation>
    </message>
    <message>
        <source>Guard that blocked</source>
        <translation>阻止更改的保护条件</translation>
    </message>
    <message>
        <source>Cost as requested</source>
        <translation>按请求模型的费用</translation>
    </message>
    <message>
        <source>Cost routed</source>
        <translation>路由后的费用</translation>
    </message>
    <message>
        <source>Difference</source>
        <translation>差额</translation>
    </message>
    <message>
        <source>undecided: %1 %2</source>
        <translation>无法判定：%1 %2</translation>
    </message>
    <message>
        <source>Undecided: %1 (%2). The call is shown with every outcome it could have and is not in the decided totals.</source>
        <translation>无法判定：%1（%2）。该调用会显示其所有可能的结果，且不计入已判定的合计。</translation>
    </message>
    <message>
        <source>Tokens</source>
        <translation>Token 数</translation>
    </message>
    <message>
        <source>rule routes to another provider</source>
        <translation>规则路由到其他提供商</translation>
    </message>
    <message>
        <source>no routing rule matched</source>
        <translation>没有匹配的路由规则</translation>
    </message>
</context>
<context>
    <name>tl::RoutingTestPanel</name>
    <message>
        <source>&amp;Test</source>
        <translation>测试(&amp;T)</translation>
    </message>
    <message>
        <source>&amp;Decide</source>
        <translation>判定(&amp;D)</translation>
    </message>
    <message>
        <source>Read the endpoint's newest %1 calls in the range and test the edited rules on them (nothing is saved)</source>
        <translation>读取该端点在此范围内最新的 %1 次调用，并用编辑后的规则测试（不会保存任何内容）</translation>
    </message>
    <message>
        <source>Choose an endpoint and a range, then Test: the edited rules run on the recorded calls before you save them.</source>
        <translation>选择端点和范围，然后点击“测试”：在保存之前，编辑后的规则会在已记录的调用上运行。</translation>
    </message>
    <message>
        <source>&amp;Endpoint:</source>
        <translation>端点(&amp;E)：</translation>
    </message>
    <message>
        <source>Recorded requests</source>
        <translation>已记录的请求</translation>
    </message>
    <message>
        <source>Detect from the body</source>
        <translation>根据请求体检测</translation>
    </message>
    <message>
        <source>OpenAI chat completions</source>
        <translation>OpenAI chat completions</translation>
    </message>
    <message>
        <source>OpenAI responses</source>
        <translation>OpenAI responses</translation>
    </message>
    <message>
        <source>Anthropic messages</source>
        <translation>Anthropic messages</translation>
    </message>
    <message>
        <source>X-TokenLedger-Task header (empty: the endpoint's default)</source>
        <translation>X-TokenLedger-Task 头（留空：使用端点的默认值）</translation>
    </message>
    <message>
        <source>Paste a request body, e.g. {"model": "gpt-4o", "max_tokens": 100, "messages": [{"role": "user", "content": "Why is the sky blue?"}]}</source>
        <translation>粘贴请求体，例如 {"model": "gpt-4o", "max_tokens": 100, "messages": [{"role": "user", "content": "为什么天空是蓝色的？"}]}</translation>
    </message>
    <message>
        <source>API &amp;shape:</source>
        <translation>API 格式(&amp;S)：</translation>
    </message>
    <message>
        <source>&amp;Task type:</source>
        <translation>任务类型(&amp;T)：</translation>
    </message>
    <message>
        <source>Request &amp;body:</source>
        <translation>请求体(&amp;B)：</translation>
    </message>
    <message>
        <source>The decision for the pasted request shows here, keyword rules included.</source>
        <translation>粘贴的请求的判定结果显示在这里，包括关键词规则。</translation>
    </message>
    <message>
        <source>Try a request</source>
        <translation>试一个请求</translation>
    </message>
    <message>
        <source>The ledger has no calls yet: route calls through the proxy or import some, then test the rules on them here.</source>
        <translation>账本中还没有调用：请通过代理发送调用或导入一些调用，然后在这里用它们测试规则。</translation>
    </message>
    <message>
        <source>Reading the recorded calls of “%1”…</source>
        <translation>正在读取“%1”已记录的调用…</translation>
    </message>
    <message>
        <source>No recorded calls of “%1” in this range.</source>
        <translation>此范围内没有“%1”已记录的调用。</translation>
    </message>
    <message>
        <source>Only the newest %1 of the %2 calls in the range.</source>
        <translation>仅限此范围内 %2 次调用中最新的 %1 次。</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
    <message>
        <source>Guards that kept the requested model: %1.</source>
        <translation>保留请求模型的保护条件：%1。</translation>
    </message>
    <message>
        <source>&lt;b&gt;Not a JSON object:&lt;/b&gt; %1</source>
        <translation>&lt;b&gt;不是 JSON 对象：&lt;/b&gt;%1</translation>
    </message>
    <message>
        <source>the body must be one object</source>
        <translation>请求体必须是一个对象</translation>
    </message>
    <message>
        <source>For endpoint &lt;b&gt;%1&lt;/b&gt; (mode now: %2), as if routing were on:</source>
        <translation>端点 &lt;b&gt;%1&lt;/b&gt;（当前模式：%2），假设路由已开启：</translation>
    </message>
    <message>
        <source>Complexity &lt;b&gt;%1&lt;/b&gt; (%2) → %3 tier</source>
        <translation>复杂度 &lt;b&gt;%1&lt;/b&gt;（%2）→ %3 层级</translation>
    </message>
    <message>
        <source>no rule matched</source>
        <translation>没有匹配的规则</translation>
    </message>
    <message>
        <source>rule “%1”</source>
        <translation>规则“%1”</translation>
    </message>
    <message>
        <source>Would serve &lt;b&gt;%1&lt;/b&gt; instead of %2.</source>
        <translation>将使用 &lt;b&gt;%1&lt;/b&gt; 代替 %2。</translation>
    </message>
    <message>
        <source>Keeps &lt;b&gt;%1&lt;/b&gt;: %2 (%3).</source>
        <translation>保留 &lt;b&gt;%1&lt;/b&gt;：%2（%3）。</translation>
    </message>
    <message>
        <source>(no model)</source>
        <translation>（无模型）</translation>
    </message>
    <message>
        <source>Task type: %1 · input %2 characters · max tokens %3 · prompt tokens %4</source>
        <translation>任务类型：%1 · 输入 %2 个字符 · 最大 token 数 %3 · 提示 token %4</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>unknown</source>
        <translation>未知</translation>
    </message>
    <message>
        <source> (estimate)</source>
        <translation>（估计）</translation>
    </message>
    <message>
        <source>images</source>
        <translation>图像</translation>
    </message>
    <message>
        <source>audio</source>
        <translation>音频</translation>
    </message>
    <message>
        <source>tools</source>
        <translation>工具</translation>
    </message>
    <message>
        <source>structured output</source>
        <translation>结构化输出</translation>
    </message>
    <message>
        <source>Uses: %1</source>
        <translation>使用：%1</translation>
    </message>
    <message>
        <source>(first match)</source>
        <translation>（第一条匹配）</translation>
    </message>
    <message>
        <source>Rules in order:</source>
        <translation>按顺序的规则：</translation>
    </message>
    <message numerus="yes">
        <source>Tested %Ln recorded call(s) of “%1” as if routing were on.</source>
        <translation><numerusform>假设路由已开启，测试了“%1”的 %Ln 次已记录调用。</numerusform></translation>
    </message>
    <message numerus="yes">
        <source>Decided by the rules: %Ln call(s); %1 would be served another model. Cost as requested %2, routed %3: %4 (%5 saved).</source>
        <translation><numerusform>由规则判定：%Ln 次调用；其中 %1 次将改用其他模型。按请求模型的费用 %2，路由后 %3：%4（节省 %5）。</numerusform></translation>
    </message>
    <message numerus="yes">
        <source>Undecided: %Ln call(s) reach a rule that needs data the ledger does not keep (request text is not recorded, so keyword rules cannot be tested on recorded calls). Depending on that rule, their cost would change by %1 to %2; they are not in the totals above.</source>
        <translation><numerusform>无法判定：%Ln 次调用遇到了需要账本未保存的数据的规则（请求文本未被记录，因此无法在已记录的调用上测试关键词规则）。取决于该规则，其费用变化在 %1 至 %2 之间；未计入上面的合计。</numerusform></translation>
    </message>
    <message numerus="yes">
        <source>%Ln call(s) with an unpriced model are not in the totals.</source>
        <translation><numerusform>%Ln 次使用未定价模型的调用未计入合计。</numerusform></translation>
    </message>
    <message numerus="yes">
        <source>%Ln cache hit(s) left out: they cost nothing whichever model is asked for.</source>
        <translation><numerusform>略去 %Ln 次缓存命中：无论请求哪个模型，它们都不产生费用。</numerusform></translation>
    </message>
</context>
<context>
    <name>tl::RoutingTiersModel</name>
    <message>
        <source>Nano</source>
        <translation>Nano</translation>
    </message>
    <message>
        <source>Standard</source>
        <translation>标准</translation>
    </message>
    <message>
        <source>Premium</source>
        <translation>高级</translation>
    </message>
    <message>
        <source>(choose a model)</source>
        <translation>（请选择模型）</translation>
    </message>
    <message>
        <source>%1 (price book)</source>
        <translation>%1（价格表）</translation>
    </message>
    <message>
        <source>unknown</source>
        <translation>未知</translation>
    </message>
    <message>
        <source>not in the price book</source>
        <translation>不在价格表中</translation>
    </message>
    <message>
        <source>%1 in / %2 out per MTok</source>
        <translation>每百万 token 输入 %1 / 输出 %2</translation>
    </message>
    <message>
        <source>unpriced</source>
        <translation>未定价</translation>
    </message>
    <message>
        <source>%1 is not a %2 model in the price book: its context window and prices are unknown, so the router never routes to it.</source>
        <translation>%1 不是价格表中的 %2 模型：其上下文窗口和价格未知，因此路由器永远不会改用它。</translation>
    </message>
    <message>
        <source>Tokens. 0 takes the window from the price book; a request is only moved to this model when its prompt plus max tokens fit.</source>
        <translation>单位为 token。0 表示取自价格表；只有当请求的提示加最大 token 数能容纳时，才会改用此模型。</translation>
    </message>
    <message>
        <source>Provider family</source>
        <translation>提供商系列</translation>
    </message>
    <message>
        <source>Tier</source>
        <translation>层级</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Context window</source>
        <translation>上下文窗口</translation>
    </message>
    <message>
        <source>Images</source>
        <translation>图像</translation>
    </message>
    <message>
        <source>Audio</source>
        <translation>音频</translation>
    </message>
    <message>
        <source>Tools</source>
        <translation>工具</translation>
    </message>
    <message>
        <source>Structured output</source>
        <translation>结构化输出</translation>
    </message>
    <message>
        <source>Price (price book)</source>
        <translation>价格（价格表）</translation>
    </message>
</context>
<context>
    <name>tl::ScenarioEditor</name>
    <message>
        <source>Untitled scenario</source>
        <translation>未命名场景</translation>
    </message>
    <message>
        <source>Sce&amp;nario:</source>
        <translation>场景(&amp;N)：</translation>
    </message>
    <message>
        <source>Strategies</source>
        <translation>策略</translation>
    </message>
    <message>
        <source>&amp;Endpoint:</source>
        <translation>端点(&amp;E)：</translation>
    </message>
    <message>
        <source>Add o&amp;verride</source>
        <translation>添加覆盖(&amp;V)</translation>
    </message>
    <message>
        <source>Give this endpoint its own settings for some strategies</source>
        <translation>为此端点的部分策略单独设置</translation>
    </message>
    <message>
        <source>Endpoints with their own settings</source>
        <translation>有单独设置的端点</translation>
    </message>
    <message>
        <source>Re&amp;move override</source>
        <translation>删除覆盖(&amp;M)</translation>
    </message>
    <message>
        <source>Endpoint overrides</source>
        <translation>端点覆盖</translation>
    </message>
</context>
<context>
    <name>tl::SimulationTimeChart</name>
    <message>
        <source>Baseline and projected cost per day</source>
        <translation>每日基线与预测费用</translation>
    </message>
    <message>
        <source>Baseline (recorded)</source>
        <translation>基线（已记录）</translation>
    </message>
    <message>
        <source>Projected</source>
        <translation>预测</translation>
    </message>
    <message>
        <source>Baseline</source>
        <translation>基线</translation>
    </message>
</context>
<context>
    <name>tl::SimulatorPage</name>
    <message>
        <source>%1 is not a scenario (a JSON object): %2</source>
        <translation>%1 不是场景（JSON 对象）：%2</translation>
    </message>
    <message>
        <source>not an object</source>
        <translation>不是对象</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
    <message>
        <source>Load e&amp;xample</source>
        <translation>加载示例(&amp;X)</translation>
    </message>
    <message>
        <source>The example scenario: short gpt-4o calls routed to gpt-4o-mini</source>
        <translation>示例场景：将较短的 gpt-4o 调用路由到 gpt-4o-mini</translation>
    </message>
    <message>
        <source>&amp;Open…</source>
        <translation>打开(&amp;O)…</translation>
    </message>
    <message>
        <source>Open a scenario file (JSON) (%1)</source>
        <translation>打开场景文件（JSON）（%1）</translation>
    </message>
    <message>
        <source>&amp;Save…</source>
        <translation>保存(&amp;S)…</translation>
    </message>
    <message>
        <source>Save this scenario as a JSON file (%1); `tokenledger simulate --scenario FILE` reads it</source>
        <translation>将此场景保存为 JSON 文件（%1）；`tokenledger simulate --scenario FILE` 可读取</translation>
    </message>
    <message>
        <source>Apply to pro&amp;xy…</source>
        <translation>应用到代理(&amp;X)…</translation>
    </message>
    <message>
        <source>Turn this scenario's strategies on in the local proxy for the endpoints you choose</source>
        <translation>在本地代理中为所选端点开启此场景的策略</translation>
    </message>
    <message>
        <source>The stored scenario</source>
        <translation>已保存的场景</translation>
    </message>
    <message>
        <source>&amp;Run</source>
        <translation>运行(&amp;R)</translation>
    </message>
    <message>
        <source>Recompute now (%1); results also update by themselves as you edit</source>
        <translation>立即重新计算（%1）；编辑时结果也会自动更新</translation>
    </message>
    <message>
        <source>&amp;Cancel</source>
        <translation>取消(&amp;C)</translation>
    </message>
    <message>
        <source>Stop the computation (Esc)</source>
        <translation>停止计算（Esc）</translation>
    </message>
    <message>
        <source>Baseline (recorded cost)</source>
        <translation>基线（已记录费用）</translation>
    </message>
    <message>
        <source>Projected cost</source>
        <translation>预测费用</translation>
    </message>
    <message>
        <source>Combined saving</source>
        <translation>合计节省</translation>
    </message>
    <message>
        <source>Computing…</source>
        <translation>正在计算…</translation>
    </message>
    <message>
        <source>Cancelled. The results shown are from the previous run; press Run to recompute.</source>
        <translation>已取消。显示的是上一次运行的结果；按“运行”重新计算。</translation>
    </message>
    <message>
        <source>Cancelled. Press Run to compute the results.</source>
        <translation>已取消。按“运行”计算结果。</translation>
    </message>
    <message>
        <source>The simulation failed: %1</source>
        <translation>模拟失败：%1</translation>
    </message>
    <message>
        <source>Computing… %1 of %2 calls</source>
        <translation>正在计算… %1 / %2 次调用</translation>
    </message>
    <message>
        <source>%1 calls replayed</source>
        <translation>重放了 %1 次调用</translation>
    </message>
    <message>
        <source>under this scenario</source>
        <translation>在此场景下</translation>
    </message>
    <message>
        <source>%1 of the baseline</source>
        <translation>占基线的 %1</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt; not simulated: %2</source>
        <translation>&lt;b&gt;%1&lt;/b&gt; 未模拟：%2</translation>
    </message>
    <message>
        <source>&lt;b&gt;Dynamic few-shot&lt;/b&gt; (already in the recorded costs, not subtracted again): %1 calls sent only the most similar examples instead of the whole set, %2 input tokens and %3 less.</source>
        <translation>&lt;b&gt;动态少样本&lt;/b&gt;（已包含在记录的费用中，不再重复扣除）：%1 次调用只发送了最相似的示例而不是整套示例，少用 %2 个输入 token，节省 %3。</translation>
    </message>
    <message>
        <source>Calls with no price (unknown model), left out of the baseline and the savings: %1.</source>
        <translation>没有价格（未知模型）、未计入基线和节省的调用：%1。</translation>
    </message>
    <message>
        <source>Strategies apply in this order, each to what the previous ones left, so no saving counts twice: exact cache, semantic cache, compression, routing, batch.</source>
        <translation>策略按以下顺序应用，每一步作用于前面剩下的部分，因此节省不会重复计算：精确缓存、语义缓存、压缩、路由、批处理。</translation>
    </message>
    <message>
        <source>Assumptions</source>
        <translation>假设</translation>
    </message>
    <message>
        <source>%1 to %2</source>
        <translation>%1 至 %2</translation>
    </message>
    <message>
        <source>No calls in this range. Choose a longer range, or All time.</source>
        <translation>此范围内没有调用。请选择更长的范围或“全部时间”。</translation>
    </message>
    <message>
        <source>%1 calls replayed.</source>
        <translation>重放了 %1 次调用。</translation>
    </message>
    <message>
        <source>%1 calls replayed, %2.</source>
        <translation>重放了 %1 次调用，%2。</translation>
    </message>
    <message>
        <source>Example</source>
        <translation>示例</translation>
    </message>
    <message>
        <source>Open scenario</source>
        <translation>打开场景</translation>
    </message>
    <message>
        <source>Scenario (*.json);;All files (*)</source>
        <translation>场景 (*.json);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Cannot read %1: %2</source>
        <translation>无法读取 %1：%2</translation>
    </message>
    <message>
        <source>This scenario</source>
        <translation>此场景</translation>
    </message>
    <message>
        <source>Save scenario</source>
        <translation>保存场景</translation>
    </message>
    <message>
        <source>Scenario (*.json)</source>
        <translation>场景 (*.json)</translation>
    </message>
    <message>
        <source>Cannot write %1: %2</source>
        <translation>无法写入 %1：%2</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt;: %2</source>
        <translation>&lt;b&gt;%1&lt;/b&gt;：%2</translation>
    </message>
    <message>
        <source>Apply to proxy</source>
        <translation>应用到代理</translation>
    </message>
    <message>
        <source>The stored savings policy is not a JSON object (%1); nothing was applied.</source>
        <translation>已保存的节省策略不是 JSON 对象（%1）；未应用任何更改。</translation>
    </message>
    <message>
        <source>No endpoint checked: the proxy's savings settings are unchanged.</source>
        <translation>未勾选任何端点：代理的节省设置未更改。</translation>
    </message>
    <message>
        <source>Applied to the proxy for %1; other settings kept.</source>
        <translation>已为 %1 应用到代理；其他设置保持不变。</translation>
    </message>
    <message>
        <source>&lt;b&gt;Provider report lines&lt;/b&gt; not simulated: %1 lines, %2, in the baseline and the projected cost as they are (a report line has no per-call detail to replay).</source>
        <translation>&lt;b&gt;提供商报表行&lt;/b&gt;未模拟：%1 行，%2，按原值计入基线和预计费用（报表行没有可回放的逐次调用明细）。</translation>
    </message>
    <message>
        <source>Left out as on the dashboard, because a provider report covers their provider and UTC day (its lines count instead): %1 recorded calls and %2 usage report lines, %3.</source>
        <translation>与仪表盘一致未计入，因为提供商报表覆盖了其提供商和 UTC 日（改为计入报表行）：%1 次记录的调用和 %2 条用量报表行，%3。</translation>
    </message>
    <message>
        <source>&lt;b&gt;Calls a provider report covers&lt;/b&gt;, replayed: %1 recorded calls, %2, on provider days whose report lines count. Their cost is in those lines (not added again); their saving, %3, is taken off the lines' figure, assuming the report covers these calls.</source>
        <translation>&lt;b&gt;提供商报表覆盖的调用&lt;/b&gt;已回放：%1 次记录的调用，%2，位于计入报表行的提供商日。其费用已包含在这些报表行中（不重复计入）；其节省 %3 从报表行的金额中扣除，前提是该报表涵盖这些调用。</translation>
    </message>
    <message>
        <source>Not replayed: %1 recorded calls, %2, on %3 provider days where they cost more than the report lines that count (so the report cannot cover them; another organisation's?). No saving is taken for them.</source>
        <translation>未回放：%1 次记录的调用，%2，位于 %3 个提供商日，这些调用的费用高于计入的报表行（因此报表无法涵盖它们；可能是另一个组织的报表？）。不为它们计算节省。</translation>
    </message>
</context>
<context>
    <name>tl::StrategiesForm</name>
    <message>
        <source> s</source>
        <translation> 秒</translation>
    </message>
    <message>
        <source>How long a stored answer may be served, in seconds</source>
        <translation>已存储的回答可被使用多长时间（秒）</translation>
    </message>
    <message>
        <source>&amp;TTL:</source>
        <translation>TTL(&amp;T)：</translation>
    </message>
    <message>
        <source>Cosine similarity at or above which a request counts as the same question (0.95 in the seed design)</source>
        <translation>余弦相似度达到或超过此值时，请求视为同一问题（初始设计为 0.95）</translation>
    </message>
    <message>
        <source>Similarity t&amp;hreshold:</source>
        <translation>相似度阈值(&amp;H)：</translation>
    </message>
    <message>
        <source>T&amp;TL:</source>
        <translation>TTL(&amp;T)：</translation>
    </message>
    <message>
        <source>"local": the built-in embedder (no network, no cost); otherwise an OpenAI-compatible embedding model whose calls are priced and counted against the saving</source>
        <translation>“local”：内置嵌入器（无需网络，无费用）；否则为兼容 OpenAI 的嵌入模型，其调用会计价并从节省中扣除</translation>
    </message>
    <message>
        <source>&amp;Embeddings:</source>
        <translation>嵌入(&amp;E)：</translation>
    </message>
    <message>
        <source> tokens</source>
        <translation> 个 token</translation>
    </message>
    <message>
        <source>Histories longer than this are trimmed: the system message and the most recent messages that fit in 70% of the budget are kept, the middle is summarised</source>
        <translation>超过此长度的历史会被裁剪：保留系统消息和能放入预算 70% 的最近消息，中间部分被摘要</translation>
    </message>
    <message>
        <source>&amp;Budget:</source>
        <translation>预算(&amp;B)：</translation>
    </message>
    <message>
        <source>The cheap model that writes the [Conversation summary] (its calls are priced and counted against the saving)</source>
        <translation>撰写 [Conversation summary] 的低价模型（其调用会计价并从节省中扣除）</translation>
    </message>
    <message>
        <source>Summar&amp;y model:</source>
        <translation>摘要模型(&amp;Y)：</translation>
    </message>
    <message>
        <source>Remove redundant blank lines and trailing spaces</source>
        <translation>删除多余的空行和行尾空格</translation>
    </message>
    <message>
        <source>&amp;Endpoints that tolerate a 24-hour turnaround:</source>
        <translation>可接受 24 小时周转的端点(&amp;E)：</translation>
    </message>
    <message>
        <source>Calls of the checked endpoints are priced at the Batch API rate</source>
        <translation>勾选端点的调用按 Batch API 价格计价</translation>
    </message>
    <message>
        <source>When on, this endpoint's calls are priced at the Batch API rate.</source>
        <translation>开启后，此端点的调用按 Batch API 价格计价。</translation>
    </message>
    <message>
        <source>Override</source>
        <translation>覆盖</translation>
    </message>
    <message>
        <source>Use different settings for this endpoint; unchecked, it inherits the scenario's settings shown here</source>
        <translation>为此端点使用不同的设置；不勾选时，继承此处显示的场景设置</translation>
    </message>
    <message>
        <source>Simulate the e&amp;xact cache</source>
        <translation>模拟精确缓存(&amp;X)</translation>
    </message>
    <message>
        <source>Simulate the se&amp;mantic cache</source>
        <translation>模拟语义缓存(&amp;M)</translation>
    </message>
    <message>
        <source>Simulate prompt com&amp;pression</source>
        <translation>模拟提示压缩(&amp;P)</translation>
    </message>
    <message>
        <source>Simulate model &amp;routing</source>
        <translation>模拟模型路由(&amp;R)</translation>
    </message>
    <message>
        <source>Simulate the Batch &amp;API</source>
        <translation>模拟 Batch &amp;API</translation>
    </message>
    <message>
        <source>Batch this endpoint (24-hour turnaround)</source>
        <translation>批处理此端点（24 小时周转）</translation>
    </message>
    <message>
        <source>On</source>
        <translation>开启</translation>
    </message>
    <message>
        <source>Shadow (record only)</source>
        <translation>影子模式（只记录）</translation>
    </message>
    <message>
        <source>Off</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>What "Apply to proxy" turns on: route, only record what would be routed, or nothing. The simulation replays routing as if on.</source>
        <translation>“应用到代理”开启的内容：路由、只记录将会如何路由，或不做任何事。模拟时按开启重放路由。</translation>
    </message>
    <message>
        <source>Pro&amp;xy mode:</source>
        <translation>代理模式(&amp;X)：</translation>
    </message>
    <message>
        <source>Complexity router</source>
        <translation>复杂度路由器</translation>
    </message>
    <message>
        <source>After the rules below, route by the complexity the proxy recorded per call (low, medium, high) to the model tiers; imported calls have no complexity</source>
        <translation>在下方规则之后，按代理为每次调用记录的复杂度（低、中、高）路由到模型层级；导入的调用没有复杂度</translation>
    </message>
    <message>
        <source>Calls matching every condition of a rule are re-priced on its target model; the first matching rule wins. Double-click a cell to edit it.</source>
        <translation>满足规则全部条件的调用按其目标模型重新计价；第一条匹配的规则生效。双击单元格进行编辑。</translation>
    </message>
    <message>
        <source>A&amp;dd rule</source>
        <translation>添加规则(&amp;D)</translation>
    </message>
    <message>
        <source>Remo&amp;ve</source>
        <translation>删除(&amp;V)</translation>
    </message>
    <message>
        <source>Move &amp;up</source>
        <translation>上移(&amp;U)</translation>
    </message>
    <message>
        <source>Move do&amp;wn</source>
        <translation>下移(&amp;W)</translation>
    </message>
    <message>
        <source>(no endpoint)</source>
        <translation>（无端点）</translation>
    </message>
</context>
<context>
    <name>tl::StrategyOutcomeModel</name>
    <message>
        <source>Exact cache</source>
        <translation>精确缓存</translation>
    </message>
    <message>
        <source>Semantic cache</source>
        <translation>语义缓存</translation>
    </message>
    <message>
        <source>Prompt compression</source>
        <translation>提示压缩</translation>
    </message>
    <message>
        <source>Model routing</source>
        <translation>模型路由</translation>
    </message>
    <message>
        <source>Batch API</source>
        <translation>Batch API</translation>
    </message>
    <message>
        <source>Serves a repeated request (same caller, same request hash) from the cache at no cost while the stored answer is younger than the TTL. Needs request hashes, which the proxy records; imported calls have none.</source>
        <translation>在已存储回答未超过 TTL 时，从缓存免费响应重复的请求（同一调用方、同一请求哈希）。需要请求哈希，由代理记录；导入的调用没有。</translation>
    </message>
    <message>
        <source>Serves a request that means the same as an earlier one (similarity at or above the threshold, same caller, model and conversation) from the cache. Needs stored embeddings or request text.</source>
        <translation>从缓存响应与先前请求含义相同的请求（相似度达到阈值，且调用方、模型和对话相同）。需要已存储的嵌入向量或请求文本。</translation>
    </message>
    <message>
        <source>Trims long conversation histories to a token budget, replacing the dropped middle with a summary. Needs the messages' text and structure.</source>
        <translation>将过长的对话历史裁剪到 token 预算内，用摘要替换删去的中间部分。需要消息的文本和结构。</translation>
    </message>
    <message>
        <source>Re-prices matching calls on a cheaper model with the same token counts (first matching rule wins). Answer quality is not simulated.</source>
        <translation>以相同的 token 数按更便宜的模型重新计价匹配的调用（第一条匹配的规则生效）。不模拟回答质量。</translation>
    </message>
    <message>
        <source>Prices the calls of endpoints that tolerate a 24-hour turnaround at the Batch API rate (50% of list where the price book has no batch price).</source>
        <translation>对可接受 24 小时周转的端点的调用按 Batch API 价格计价（价格表没有批处理价格时为标价的 50%）。</translation>
    </message>
    <message>
        <source>Combined</source>
        <translation>合计</translation>
    </message>
    <message>
        <source>Baseline minus the projection after every strategy, in the order above; no saving is counted twice.</source>
        <translation>基线减去按上述顺序应用全部策略后的预测；节省不会重复计算。</translation>
    </message>
    <message>
        <source>off</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>not simulated: %1</source>
        <translation>未模拟：%1</translation>
    </message>
    <message>
        <source>Not simulated: %1</source>
        <translation>未模拟：%1</translation>
    </message>
    <message>
        <source>Strategy</source>
        <translation>策略</translation>
    </message>
    <message>
        <source>Projected saving</source>
        <translation>预测节省</translation>
    </message>
    <message>
        <source>% of baseline</source>
        <translation>占基线 %</translation>
    </message>
    <message>
        <source>Calls affected</source>
        <translation>受影响的调用</translation>
    </message>
    <message>
        <source>Saving</source>
        <translation>节省</translation>
    </message>
    <message>
        <source>Share</source>
        <translation>占比</translation>
    </message>
    <message>
        <source>Calls</source>
        <translation>调用次数</translation>
    </message>
</context>
<context>
    <name>tl::TimeZoneDialog</name>
    <message>
        <source>Time zone</source>
        <translation>时区</translation>
    </message>
    <message>
        <source>System (%1)</source>
        <translation>系统（%1）</translation>
    </message>
    <message>
        <source>Days and hours on the dashboard start in this zone (daylight-saving aware).</source>
        <translation>仪表板上的日和小时按此时区划分（考虑夏令时）。</translation>
    </message>
    <message>
        <source>&amp;Time zone:</source>
        <translation>时区(&amp;T)：</translation>
    </message>
</context>
<context>
    <name>tl::TopSpendersChart</name>
    <message>
        <source>Top spenders</source>
        <translation>费用最高</translation>
    </message>
    <message>
        <source>Cost</source>
        <translation>费用</translation>
    </message>
</context>
<context>
    <name>tl::UnpricedModelsModel</name>
    <message>
        <source>Provider</source>
        <translation>提供商</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Calls</source>
        <translation>调用次数</translation>
    </message>
</context>
<context>
    <name>tl::UpstreamEditor</name>
    <message>
        <source>OpenAI</source>
        <translation>OpenAI</translation>
    </message>
    <message>
        <source>Anthropic</source>
        <translation>Anthropic</translation>
    </message>
    <message>
        <source>Azure OpenAI</source>
        <translation>Azure OpenAI</translation>
    </message>
    <message>
        <source>OpenRouter</source>
        <translation>OpenRouter</translation>
    </message>
    <message>
        <source>OpenAI-compatible (vLLM, Ollama, LM Studio…)</source>
        <translation>OpenAI 兼容（vLLM、Ollama、LM Studio…）</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Base URL</source>
        <translation>基础 URL</translation>
    </message>
    <message>
        <source>Keychain entry</source>
        <translation>钥匙串条目</translation>
    </message>
    <message>
        <source>Add upstream</source>
        <translation>添加上游</translation>
    </message>
    <message>
        <source>Adds an upstream row (Insert key in the table).</source>
        <translation>添加一行上游（在表格中按 Insert 键）。</translation>
    </message>
    <message>
        <source>Remove upstream</source>
        <translation>删除上游</translation>
    </message>
    <message>
        <source>Removes the selected upstream (Delete key in the table). A key it has in the keychain stays there.</source>
        <translation>删除所选上游（在表格中按 Delete 键）。它在钥匙串中的密钥会保留。</translation>
    </message>
    <message>
        <source>How the proxy addresses and authenticates this upstream.</source>
        <translation>代理访问此上游及进行身份验证的方式。</translation>
    </message>
    <message>
        <source>%1 (unknown kind)</source>
        <translation>%1（未知类型）</translation>
    </message>
    <message>
        <source>give the upstream a name</source>
        <translation>请为上游命名</translation>
    </message>
    <message>
        <source>another upstream is also named "%1"; names must be unique</source>
        <translation>另一个上游也叫“%1”；名称必须唯一</translation>
    </message>
    <message>
        <source>"%1" is not a kind the proxy knows; choose one</source>
        <translation>“%1”不是代理已知的类型；请选择一个</translation>
    </message>
    <message>
        <source>needs a base URL starting with http:// or https://</source>
        <translation>需要以 http:// 或 https:// 开头的基础 URL</translation>
    </message>
    <message>
        <source>base URL "%1" needs http:// or https:// in front</source>
        <translation>基础 URL“%1”前面需要 http:// 或 https://</translation>
    </message>
    <message>
        <source>base URL "%1" has no host</source>
        <translation>基础 URL“%1”没有主机名</translation>
    </message>
    <message>
        <source>Add at least one upstream.</source>
        <translation>请至少添加一个上游。</translation>
    </message>
    <message>
        <source>Row %1: %2</source>
        <translation>第 %1 行：%2</translation>
    </message>
    <message>
        <source>Row %1 (%2): %3</source>
        <translation>第 %1 行（%2）：%3</translation>
    </message>
</context>
</TS>