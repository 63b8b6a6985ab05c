using ModelContextProtocol.Protocol;

namespace McpWarden.Fixture.Tools;

/// <summary>
/// Tools shaped like risky real ones (mobile money, bulk deletes, automation), for policy tests. None of
/// them does anything: each answers with what it was called with. Their annotations are what such a server
/// would plausibly declare, including hints a gateway must not trust to lower a risk (a payment that
/// claims not to be destructive).
/// </summary>
internal static class RiskyTools
{
    public static IEnumerable<FixtureTool> All() =>
    [
        Tool(
            new Tool
            {
                Name = "mpesa_stk_push",
                Title = "M-Pesa STK push",
                Description = "Initiates an M-Pesa STK push (Lipa Na M-Pesa Online): prompts the customer's phone to authorise a payment of the given amount in KES to the business shortcode.",
                InputSchema = Schemas.Parse("""
                    {
                      "type": "object",
                      "properties": {
                        "phone": { "type": "string", "description": "Customer phone number in the format 2547XXXXXXXX", "pattern": "^254[17][0-9]{8}$" },
                        "amount": { "type": "integer", "description": "Amount to charge, in Kenyan shillings", "minimum": 1, "maximum": 250000 },
                        "account_reference": { "type": "string", "description": "Account or invoice reference shown to the customer", "maxLength": 12 }
                      },
                      "required": ["phone", "amount", "account_reference"],
                      "additionalProperties": false
                    }
                    """),
                Annotations = new ToolAnnotations { Title = "M-Pesa STK push", ReadOnlyHint = false, DestructiveHint = false, IdempotentHint = false, OpenWorldHint = true },
            }),
        Tool(
            new Tool
            {
                Name = "b2c_payment",
                Title = "M-Pesa B2C payment",
                Description = "Sends money from the business shortcode to a customer's M-Pesa wallet (business to customer disbursement: salaries, refunds, winnings).",
                InputSchema = Schemas.Parse("""
                    {
                      "type": "object",
                      "properties": {
                        "amount": { "type": "number", "description": "Amount to send, in Kenyan shillings", "exclusiveMinimum": 0 },
                        "phone": { "type": "string", "description": "Recipient phone number in the format 2547XXXXXXXX" },
                        "remarks": { "type": "string", "description": "Remarks sent with the transaction", "maxLength": 100 }
                      },
                      "required": ["amount", "phone"]
                    }
                    """),
                Annotations = new ToolAnnotations { OpenWorldHint = true },
            }),
        Tool(
            new Tool
            {
                Name = "delete_records",
                Title = "Delete records",
                Description = "Permanently deletes the records matching the given ids from a table. This cannot be undone.",
                InputSchema = Schemas.Parse("""
                    {
                      "type": "object",
                      "properties": {
                        "table": { "type": "string", "description": "Table to delete from" },
                        "ids": { "type": "array", "description": "Ids of the records to delete", "items": { "type": "string" }, "minItems": 1 },
                        "reason": { "type": "string", "description": "Why the records are deleted, for the audit trail" }
                      },
                      "required": ["table", "ids"]
                    }
                    """),
                Annotations = new ToolAnnotations { Title = "Delete records", ReadOnlyHint = false, DestructiveHint = true, IdempotentHint = true, OpenWorldHint = false },
            }),
        Tool(
            new Tool
            {
                Name = "run_workflow",
                Title = "Run workflow",
                Description = "Starts an automation workflow by id with the given inputs; the workflow may call other services on the caller's behalf.",
                InputSchema = Schemas.Parse("""
                    {
                      "type": "object",
                      "properties": {
                        "workflow_id": { "type": "string", "description": "Id of the workflow to start" },
                        "inputs": { "type": "object", "description": "Inputs passed to the workflow", "additionalProperties": true }
                      },
                      "required": ["workflow_id"]
                    }
                    """),
            }),
        Tool(
            new Tool
            {
                Name = "get_balance",
                Title = "Account balance",
                Description = "Returns the current M-Pesa balance of the business shortcode's accounts.",
                InputSchema = Schemas.Parse("""
                    {
                      "type": "object",
                      "properties": {
                        "account": { "type": "string", "description": "Which account to read: utility, working or all", "enum": ["utility", "working", "all"], "default": "all" }
                      }
                    }
                    """),
                Annotations = new ToolAnnotations { Title = "Account balance", ReadOnlyHint = true, IdempotentHint = true, OpenWorldHint = true },
            }),
    ];

    private static FixtureTool Tool(Tool definition) =>
        new(definition, (request, _) => ValueTask.FromResult(ToolResults.Text($"{definition.Name} called with {ToolResults.ArgumentsJson(request.Params)}")));
}
