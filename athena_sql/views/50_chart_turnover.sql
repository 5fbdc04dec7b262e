-- chart_turnover: per chart and chart date, the songs on the chart and how many of them are
-- new entries, re-entries, climbers, fallers and unchanged, and how many songs of the
-- previous chart left it (exits). Where the lake does not hold the previous chart (a chart's
-- first date, or a gap) every count but song_count is null: nothing to compare with. Built
-- on chart_movements.
create or replace view chart_turnover as

with

counted as (

    select
        chart_id,
        chart_date,
        previous_chart_date,
        count_if(rank is not null) as song_count,
        count_if(movement = 'new') as new_entry_count,
        count_if(movement = 're-entry') as re_entry_count,
        count_if(movement = 'exit') as exit_count,
        count_if(movement = 'climbed') as climber_count,
        count_if(movement = 'fell') as faller_count,
        count_if(movement = 'unchanged') as unchanged_count
    from chart_movements
    group by chart_id, chart_date, previous_chart_date

),

final as (

    select
        chart_id,
        chart_date,
        previous_chart_date,
        song_count,
        case when previous_chart_date is not null then new_entry_count end as new_entry_count,
        case when previous_chart_date is not null then re_entry_count end as re_entry_count,
        case when previous_chart_date is not null then exit_count end as exit_count,
        case when previous_chart_date is not null then climber_count end as climber_count,
        case when previous_chart_date is not null then faller_count end as faller_count,
        case when previous_chart_date is not null then unchanged_count end as unchanged_count
    from counted

)

select * from final
