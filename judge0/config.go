package judge0

import (
	"encoding/json"
	"strconv"

	codementor "github.com/codementor/codementor"
	"github.com/codementor/codementor/archive"
)

// Version is the Judge0 version the API is compatible with: /about's
// version, which clients such as the Python SDK read to map language
// aliases to ids.
const Version = "1.13.1"

// The defaults of a submission's limits, Judge0 CE's (app/helpers/config.rb),
// and their maxima, the run's (codementor.MaxRun*, which are Judge0's where
// it has them). Times are in seconds, sizes in kilobytes, as Judge0's.
const (
	DefaultCPUTimeLimit  = 5.0
	DefaultCPUExtraTime  = 1.0
	DefaultWallTimeLimit = 10.0
	DefaultMemoryLimit   = 128000
	DefaultStackLimit    = 64000
	DefaultMaxProcesses  = 60
	DefaultMaxFileSize   = 1024
	DefaultNumberOfRuns  = 1

	MaxCPUTimeLimit  = float64(codementor.MaxRunTimeLimitMS) / 1000
	MaxCPUExtraTime  = float64(codementor.MaxRunExtraTimeMS) / 1000
	MaxWallTimeLimit = float64(codementor.MaxRunWallLimitMS) / 1000
	MaxMemoryLimit   = codementor.MaxRunMemoryKB
	MaxStackLimit    = codementor.MaxRunStackKB
	MaxMaxProcesses  = codementor.MaxRunProcesses
	MaxMaxFileSize   = codementor.MaxRunFileSizeKB
	MaxNumberOfRuns  = codementor.MaxRunRepeat

	// MinMemoryLimit is the smallest memory_limit a run takes (Judge0:
	// 2048).
	MinMemoryLimit = codementor.MinRunMemoryKB
	// MaxBatchSize is max_submission_batch_size: submissions per batch.
	MaxBatchSize = 20
	// MaxTextOption is the longest compiler_options and
	// command_line_arguments, as in Judge0.
	MaxTextOption = 512
	// MaxExtractSize is max_extract_size (KB): what additional_files may
	// hold once unpacked.
	MaxExtractSize = archive.DefaultMaxBytes >> 10
)

// Deployment is what config_info reports of the deployment rather than of
// Judge0's options.
type Deployment struct {
	// MaxQueueSize is max_queue_size: how many submissions may wait.
	MaxQueueSize int
	// CallbacksMaxTries and CallbacksTimeoutSeconds: how the notifier
	// sends callback_url its run's final state.
	CallbacksMaxTries       int
	CallbacksTimeoutSeconds float64
}

// ConfigInfo is the body of GET /config_info: every key of Judge0 CE
// 1.13.1's, which the Python SDK requires, in its order. Options CodeMentor
// does not offer are off: network access, per-process limits, deletion.
func ConfigInfo(d Deployment) Object {
	return Object{
		{"maintenance_mode", false},
		{"enable_wait_result", true},
		{"enable_compiler_options", true},
		{"allowed_languages_for_compile_options", CompilerOptionLanguages()},
		{"enable_command_line_arguments", true},
		{"enable_submission_delete", false},
		{"enable_callbacks", true},
		{"callbacks_max_tries", d.CallbacksMaxTries},
		{"callbacks_timeout", decimal(d.CallbacksTimeoutSeconds)},
		{"enable_additional_files", true},
		{"max_queue_size", d.MaxQueueSize},
		{"cpu_time_limit", decimal(DefaultCPUTimeLimit)},
		{"max_cpu_time_limit", decimal(MaxCPUTimeLimit)},
		{"cpu_extra_time", decimal(DefaultCPUExtraTime)},
		{"max_cpu_extra_time", decimal(MaxCPUExtraTime)},
		{"wall_time_limit", decimal(DefaultWallTimeLimit)},
		{"max_wall_time_limit", decimal(MaxWallTimeLimit)},
		{"memory_limit", DefaultMemoryLimit},
		{"max_memory_limit", MaxMemoryLimit},
		{"stack_limit", DefaultStackLimit},
		{"max_stack_limit", MaxStackLimit},
		{"max_processes_and_or_threads", DefaultMaxProcesses},
		{"max_max_processes_and_or_threads", MaxMaxProcesses},
		{"enable_per_process_and_thread_time_limit", false},
		{"allow_enable_per_process_and_thread_time_limit", false},
		{"enable_per_process_and_thread_memory_limit", false},
		{"allow_enable_per_process_and_thread_memory_limit", false},
		{"max_file_size", DefaultMaxFileSize},
		{"max_max_file_size", MaxMaxFileSize},
		{"number_of_runs", DefaultNumberOfRuns},
		{"max_number_of_runs", MaxNumberOfRuns},
		{"redirect_stderr_to_stdout", false},
		{"max_extract_size", MaxExtractSize},
		{"enable_batched_submissions", true},
		{"max_submission_batch_size", MaxBatchSize},
		{"submission_cache_duration", decimal(1)},
		{"use_docs_as_homepage", false},
		{"allow_enable_network", false},
		{"enable_network", false},
	}
}

// About is the body of GET /about.
func About() Object {
	return Object{
		{"version", Version},
		{"homepage", "https://github.com/codementor/codementor#judge0-compatible-api"},
		{"source_code", "https://github.com/codementor/codementor"},
		{"maintainer", "CodeMentor"},
	}
}

// Worker is one entry of GET /workers: a queue and the judges serving it.
type Worker struct {
	Queue     string `json:"queue"`
	Size      int    `json:"size"`
	Available int    `json:"available"`
	Idle      int    `json:"idle"`
	Working   int    `json:"working"`
	Paused    int    `json:"paused"`
	Failed    int    `json:"failed"`
}

// Workers is the body of GET /workers: one queue, named after the version
// as Judge0's is, with queued submissions waiting and judges judges of
// which running are at work.
func Workers(queued, running, judges int) []Worker {
	working := min(running, judges)
	return []Worker{{Queue: Version, Size: queued, Available: judges, Idle: judges - working, Working: working}}
}

// decimal is a number as Ruby prints a Float: always with a fraction
// ("5.0", "0.5").
func decimal(f float64) json.Number { return json.Number(rubyFloat(f)) }

// rubyFloat formats f as Ruby's Float#to_s does for the values here.
func rubyFloat(f float64) string {
	s := strconv.FormatFloat(f, 'f', -1, 64)
	for i := 0; i < len(s); i++ {
		if s[i] == '.' {
			return s
		}
	}
	return s + ".0"
}
