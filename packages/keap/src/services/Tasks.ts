/** Tasks (REST v2): list, get, create, update, complete, delete. */
import type { CrmError } from "@crmkit/core"
import { Effect, type Stream } from "effect"
import * as Ops from "../generated/operations.ts"
import type * as S from "../generated/schemas.ts"
import type { KeapClient } from "../KeapClient.ts"
import { call, type KeapId, keapId, type ListOptions, listParams, streamAll } from "./internal.ts"

export type Task = S.Task
export type TaskInput = S.CreateTaskRequest

/** Every task matching `filter` (e.g. `KeapFilter.eq("contact_id", 12)`). */
export const list = (options: ListOptions = {}): Stream.Stream<Task, CrmError, KeapClient> =>
  streamAll<Task>(Ops.listTasks, listParams(options), options.pageSize)

export const get = (id: KeapId): Effect.Effect<Task, CrmError, KeapClient> =>
  Effect.flatMap(keapId("task_id", id), (task_id) => call(Ops.getTask, { task_id } as Ops.GetTaskInput))

/** Creates a task; `assigned_to_user_id` is required by Keap. */
export const create = (task: TaskInput): Effect.Effect<Task, CrmError, KeapClient> =>
  Effect.gen(function* () {
    yield* keapId("body.assigned_to_user_id", task.assigned_to_user_id)
    if (task.contact_id !== undefined) yield* keapId("body.contact_id", task.contact_id)
    return yield* call(Ops.createTask, { body: task } as Ops.CreateTaskInput)
  })

export const update = (
  id: KeapId,
  changes: S.CreateUpdateTaskRequest,
): Effect.Effect<S.UpdateTaskResponse, CrmError, KeapClient> =>
  Effect.flatMap(keapId("task_id", id), (task_id) =>
    call(Ops.updateTask, { task_id, body: changes } as Ops.UpdateTaskInput),
  )

/** Marks the task completed now. */
export const complete = (id: KeapId, at: Date = new Date()) =>
  update(id, { completed: true, completion_time: at.toISOString() } as S.CreateUpdateTaskRequest)

export const remove = (id: KeapId): Effect.Effect<void, CrmError, KeapClient> =>
  Effect.flatMap(keapId("task_id", id), (task_id) =>
    Effect.asVoid(call(Ops.deleteTask, { task_id } as Ops.DeleteTaskInput)),
  )
