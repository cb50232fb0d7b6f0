/** Running one tool call from the model: parse, validate with zod, run; every failure becomes a result the model sees. */
import { z } from 'zod';
import { failure, type Tool, type ToolContext, type ToolResult } from './tool.js';

/**
 * The JSON schema of a tool's input, generated from zod (what the caller may send).
 * Regex patterns are left out: zod still enforces them, the model reads the description,
 * and some OpenAI-compatible servers reject Unicode property escapes in a schema.
 */
export function toolParameters(tool: Pick<Tool, 'input'>): Record<string, unknown> {
  const generated = z.toJSONSchema(tool.input, {
    io: 'input',
    unrepresentable: 'any',
    override: (context) => {
      const schema = context.jsonSchema as Record<string, unknown>;
      delete schema.pattern;
      if (schema.maximum === Number.MAX_SAFE_INTEGER) delete schema.maximum;
    },
  }) as Record<string, unknown>;
  const { $schema: _schema, ...schema } = generated;
  return schema;
}

/** The zod issues in words the model can fix: `path: message` per issue. */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(arguments)'}: ${issue.message}`).join('; ');
}

/** Runs a tool with the model's raw JSON arguments. Throws only for bugs the caller must see (never for bad input). */
export async function runTool(tool: Tool, rawArguments: string, context: ToolContext): Promise<ToolResult> {
  let parsed: unknown;
  try {
    parsed = rawArguments.trim() === '' ? {} : JSON.parse(rawArguments);
  } catch (error) {
    return failure('invalid_arguments', `the arguments are not JSON: ${error instanceof Error ? error.message : String(error)}`, true);
  }
  const validated = tool.input.safeParse(parsed);
  if (!validated.success) return failure('invalid_arguments', describeIssues(validated.error), true);
  try {
    return await tool.run(validated.data, context);
  } catch (error) {
    if (context.signal.aborted) return failure('aborted', 'the turn was cancelled', false);
    return failure('tool_failed', error instanceof Error ? error.message : String(error), false);
  }
}
